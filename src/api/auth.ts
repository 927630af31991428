import { createHash } from 'node:crypto';
import { ROLES, type Role } from './config.js';
import { forbidden, unauthenticated } from './errors.js';

/**
 * Bearer tokens → roles. Only SHA-256 hashes of tokens are configured, so a leaked configuration leaks no
 * token. Roles are ordered: frontend < merchandiser < admin, and each can do what those below it can.
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
  trainingJob: 'admin',
  trainingJobs: 'admin',
};

const TOKEN_ID_LENGTH = 12;

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * The caller's principal from an Authorization header: null without one (anonymous); a header that is not a
 * known Bearer token is refused rather than treated as anonymous, so a mistyped token fails loudly.
 */
export function authenticate(header: string | undefined, tokens: Readonly<Record<string, Role>>): Principal | null {
  if (header === undefined || header.trim() === '') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthenticated('expected an Authorization header of the form "Bearer <token>"');
  const hash = hashToken(match[1]);
  const role = Object.hasOwn(tokens, hash) ? tokens[hash] : undefined;
  if (role === undefined) throw unauthenticated('unknown token');
  return { role, tokenId: hash.slice(0, TOKEN_ID_LENGTH) };
}

const rank = (role: Role): number => ROLES.indexOf(role);

/** Throws UNAUTHENTICATED without a principal and FORBIDDEN when its role is below `needed`. */
export function requireRole(principal: Principal | null, needed: Role, what: string): Principal {
  if (principal === null) throw unauthenticated(`${what} needs a Bearer token with role ${needed} or higher`);
  if (rank(principal.role) < rank(needed)) throw forbidden(`${what} needs role ${needed} or higher, the token has ${principal.role}`);
  return principal;
}

/** The role a mutation needs (admin for one not listed). */
export const mutationRole = (field: string): Role => MUTATION_ROLES[field] ?? 'admin';

/** The role a restricted query needs, or null for an ordinary read. */
export const queryRole = (field: string): Role | null => QUERY_ROLES[field] ?? null;
