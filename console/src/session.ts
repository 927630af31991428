import { Client, cacheExchange, fetchExchange, type CombinedError } from '@urql/core';

/**
 * The signed-in session: the token (kept in sessionStorage, so it goes when the tab closes), the client that
 * sends it, and the token's role. The API has no "who am I" query, and the console adds none of its own:
 * the role is read from which restricted reads the token may make (trainingJobs needs admin, auditLog
 * merchandiser), the checks the server itself applies.
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

/** A read only `role` may make; a token below it is refused with FORBIDDEN. */
const PROBES: readonly { role: Role; query: string }[] = [
  { role: 'admin', query: 'query AdminProbe { trainingJobs { id } }' },
  { role: 'merchandiser', query: 'query MerchandiserProbe { auditLog(first: 1) { nodes { id } } }' },
];

const codeOf = (error: CombinedError | undefined, code: string) => error?.graphQLErrors.find((e) => e.extensions?.code === code);

/** The token's role; an unknown token or an unreachable API is an Error with the API's words. */
export async function detectRole(client: Client): Promise<Role> {
  for (const probe of PROBES) {
    const { error } = await client.query(probe.query, {}, { requestPolicy: 'network-only' }).toPromise();
    if (!error) return probe.role;
    const unauthenticated = codeOf(error, 'UNAUTHENTICATED');
    if (unauthenticated) throw new Error(`token: ${unauthenticated.message}`);
    if (!codeOf(error, 'FORBIDDEN')) throw new Error(error.graphQLErrors[0]?.message ?? `the API at ${GRAPHQL_URL} did not answer: ${error.networkError?.message ?? error.message}`);
  }
  return 'frontend';
}
