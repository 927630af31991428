import type { ApiContext } from './context.js';
import { editor } from './guard.js';

/**
 * Who the caller is, as the API sees them: any caller may ask, anonymous ones included, so that a client
 * (the console) can offer what the token may do without probing restricted reads.
 */
export interface Viewer {
  role: string | null;
  editor: string | null;
  userId: string | null;
}

export function viewer(_: unknown, __: unknown, ctx: ApiContext): Viewer {
  const { principal, shopper } = ctx;
  return {
    role: principal ? principal.role.toUpperCase() : null,
    editor: principal ? editor(principal) : null,
    userId: shopper?.userId ?? null,
  };
}
