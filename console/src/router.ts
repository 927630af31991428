import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (#/product/p-1?tab=…): the server hands out one index.html for /console/, and every page of
 * the console is a bookmarkable address with working back and forward buttons.
 */

export interface Route {
  page: string;
  /** The path segment after the page, e.g. a product id. */
  id: string | null;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [page = '', ...rest] = path.split('/');
  const id = rest.length > 0 ? decodeURIComponent(rest.join('/')) : null;
  return { page: page || 'products', id, params: new URLSearchParams(query) };
}

export function href(page: string, id?: string | null, params?: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) if (value) query.set(key, value);
  const text = query.toString();
  return `#/${page}${id ? `/${encodeURIComponent(id)}` : ''}${text ? `?${text}` : ''}`;
}

export const navigate = (to: string): void => {
  window.location.hash = to;
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
