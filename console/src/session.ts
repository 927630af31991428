import { Client, cacheExchange, fetchExchange } from '@urql/core';

/**
 * The signed-in session: the token (kept in sessionStorage, so it goes when the tab closes), the client that
 * sends it, and the token's role and editor name, from the API's `viewer` (the server checks every request
 * again: the role only decides what the console offers).
 */

export const ROLES = ['frontend', 'merchandiser', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const can = (role: Role, needed: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(needed);

const TOKEN_KEY = 'kgrec.console.token';
/** The console is served by the API at /console/, so the API is one level up. */
export const GRAPHQL_URL = new URL('../graphql', window.location.href).href;

export const storedToken = (): string | null => window.sessionStorage.getItem(TOKEN_KEY);
export const storeToken = (token: string): void => window.sessionStorage.setItem(TOKEN_KEY, token);
export const forgetToken = (): void => window.sessionStorage.removeItem(TOKEN_KEY);

export function createClient(token: string): Client {
  return new Client({
    url: GRAPHQL_URL,
    exchanges: [cacheExchange, fetchExchange],
    // POST, as the API's CSRF prevention refuses GET queries without a preflight header.
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    // Edits by other merchandisers show on the next visit of a page.
    requestPolicy: 'cache-and-network',
  });
}

const VIEWER = 'query Viewer { viewer { role editor } }';

interface ViewerAnswer {
  viewer: { role: 'FRONTEND' | 'MERCHANDISER' | 'ADMIN' | null; editor: string | null };
}

/** The signed-in token as the API sees it. */
export interface Identity {
  role: Role;
  /** The name the token's edits are recorded under in the audit trail. */
  editor: string;
}

/** The token's role, from the API's `viewer`; an unknown token, a token without a role or an unreachable API is an Error with the API's words. */
export async function identify(client: Client): Promise<Identity> {
  const { data, error } = await client.query<ViewerAnswer>(VIEWER, {}, { requestPolicy: 'network-only' }).toPromise();
  if (error) {
    const unauthenticated = error.graphQLErrors.find((e) => e.extensions?.code === 'UNAUTHENTICATED');
    if (unauthenticated) throw new Error(`token: ${unauthenticated.message}`);
    throw new Error(error.graphQLErrors[0]?.message ?? `the API at ${GRAPHQL_URL} did not answer: ${error.networkError?.message ?? error.message}`);
  }
  const role = data?.viewer.role?.toLowerCase();
  const editor = data?.viewer.editor;
  if (!role || !editor || !(ROLES as readonly string[]).includes(role)) throw new Error('token: it has no role (a shopper token?); sign in with a frontend, merchandiser or admin token');
  return { role: role as Role, editor };
}
