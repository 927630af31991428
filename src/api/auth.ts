import { createHash } from 'node:crypto';
import { ROLES, type Role } from './config.js';
import { forbidden, unauthenticated } from './errors.js';
import { looksLikeJwt, type Shopper, type ShopperTokenVerifier } from './shopperTokens.js';

/**
 * Bearer tokens → roles. Only SHA-256 hashes of tokens are configured, so a leaked configuration leaks no
 * token. Roles are ordered: frontend < merchandiser < admin, and each can do what those below it can.
 * A Bearer token that is no role token may be a shopper token (src/api/shopperTokens.ts): it has no role,
 * and stands for one shopper.
 */

export interface Principal {
  role: Role;
  /** A short, non-secret name for the token (the start of its hash), recorded as `updatedBy` on edits. */
  tokenId: string;
}

/** The role each mutation needs; one missing here needs admin, so a new mutation never ships open. */
export const MUTATION_ROLES: Readonly<Record<string, Role>> = {
  recordEvents: 'frontend',
  relateProducts: 'merchandiser',
  unrelateProducts: 'merchandiser',
  upsertProduct: 'merchandiser',
  deleteProduct: 'merchandiser',
  createCategory: 'merchandiser',
  updateCategory: 'merchandiser',
  deleteCategory: 'merchandiser',
  createBrand: 'merchandiser',
  updateBrand: 'merchandiser',
  deleteBrand: 'merchandiser',
  pinProduct: 'merchandiser',
  boostProduct: 'merchandiser',
  buryProduct: 'merchandiser',
  removeRule: 'merchandiser',
  createExperiment: 'merchandiser',
  startExperiment: 'merchandiser',
  pauseExperiment: 'merchandiser',
  stopExperiment: 'merchandiser',
  startRetraining: 'admin',
  activateModel: 'admin',
  deleteUserData: 'admin',
};

/**
 * Queries that are not open to every reader: they show the shop's own workings (rules, who edited what,
 * training). Queries not listed here follow KGREC_API_PUBLIC_READS.
 */
export const QUERY_ROLES: Readonly<Record<string, Role>> = {
  merchandisingRules: 'merchandiser',
  auditLog: 'merchandiser',
  experiment: 'merchandiser',
  experiments: 'merchandiser',
  experimentResults: 'merchandiser',
  trainingJob: 'admin',
  trainingJobs: 'admin',
  modelVersions: 'admin',
  latestEvaluation: 'merchandiser',
};

const TOKEN_ID_LENGTH = 12;

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * The caller's principal from an Authorization header: null without one (anonymous); a header that is not a
 * known Bearer token is refused rather than treated as anonymous, so a mistyped token fails loudly.
 */
export function authenticate(header: string | undefined, tokens: Readonly<Record<string, Role>>): Principal | null {
  const token = bearerToken(header);
  if (token === null) return null;
  const principal = rolePrincipal(token, tokens);
  if (principal === null) throw unauthenticated('unknown token');
  return principal;
}

function bearerToken(header: string | undefined): string | null {
  if (header === undefined || header.trim() === '') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthenticated('expected an Authorization header of the form "Bearer <token>"');
  return match[1];
}

function rolePrincipal(token: string, tokens: Readonly<Record<string, Role>>): Principal | null {
  const hash = hashToken(token);
  const role = Object.hasOwn(tokens, hash) ? tokens[hash] : undefined;
  return role === undefined ? null : { role, tokenId: hash.slice(0, TOKEN_ID_LENGTH) };
}

/** Who is calling: a role token's principal, a shopper, or neither (anonymous). */
export interface Caller {
  principal: Principal | null;
  shopper: Shopper | null;
}

/** A request's caller, or why it was refused (raised where the request context is built, so that Apollo answers it). */
export type Identification = { caller: Caller } | { refused: unknown };

const ANONYMOUS: Identification = Object.freeze({ caller: Object.freeze({ principal: null, shopper: null }) });

/**
 * The caller from an Authorization header: a role token, else a shopper token when shopper tokens are
 * configured; anything else is refused (UNAUTHENTICATED), as a mistyped token should be. Only a shopper
 * token needs a promise (its signature is verified asynchronously): anonymous callers and role tokens,
 * nearly every request, are answered at once, without a promise per request.
 */
export function identifyCaller(
  header: string | undefined,
  tokens: Readonly<Record<string, Role>>,
  shoppers: ShopperTokenVerifier | null,
): Identification | Promise<Identification> {
  let token: string | null;
  try {
    token = bearerToken(header);
  } catch (error) {
    return { refused: error };
  }
  if (token === null) return ANONYMOUS;
  const principal = rolePrincipal(token, tokens);
  if (principal) return { caller: { principal, shopper: null } };
  if (shoppers && looksLikeJwt(token)) {
    return shoppers.verify(token).then(
      (shopper): Identification => ({ caller: { principal: null, shopper } }),
      (error: unknown): Identification => ({ refused: error }),
    );
  }
  return { refused: unauthenticated('unknown token') };
}

const rank = (role: Role): number => ROLES.indexOf(role);

/**
 * Throws UNAUTHENTICATED without a principal (FORBIDDEN for a shopper, whose token has no role) and
 * FORBIDDEN when its role is below `needed`.
 */
export function requireRole(principal: Principal | null, needed: Role, what: string, shopper: Shopper | null = null): Principal {
  if (principal === null && shopper !== null) throw forbidden(`${what} needs a Bearer token with role ${needed} or higher; a shopper token has no role`);
  if (principal === null) throw unauthenticated(`${what} needs a Bearer token with role ${needed} or higher`);
  if (rank(principal.role) < rank(needed)) throw forbidden(`${what} needs role ${needed} or higher, the token has ${principal.role}`);
  return principal;
}

/** The role a mutation needs (admin for one not listed). */
export const mutationRole = (field: string): Role => MUTATION_ROLES[field] ?? 'admin';

/** The role a restricted query needs, or null for an ordinary read. */
export const queryRole = (field: string): Role | null => QUERY_ROLES[field] ?? null;
