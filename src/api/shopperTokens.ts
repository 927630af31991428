import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWSHeaderParameters, type JWTVerifyGetKey } from 'jose';
import { ConfigError } from '../config.js';
import type { ApiConfig } from './config.js';
import { API_ENV_KEYS } from './config.js';
import { unauthenticated } from './errors.js';
import { validateId } from './inputs.js';

/**
 * Shopper tokens: short-lived JWTs that a shop's backend mints for a signed-in shopper's browser, whose
 * subject (`sub`) is the shopper's user id. They let that browser read the shopper's own history and
 * personalised explanations and record the shopper's own events, and nothing else. Verification is
 * jose's: the algorithm must be one the configured key is for (`none` never is), and `exp`, `iat` and
 * `sub` are required, `iat` no older than the configured maximum age.
 */

/** The caller a verified shopper token stands for. */
export interface Shopper {
  userId: string;
}

export interface ShopperTokenVerifier {
  /** The shopper, or a GraphQLError (UNAUTHENTICATED, with a `reason`) saying why the token is refused. */
  verify(token: string): Promise<Shopper>;
}

/** The algorithms a JWKS key may sign with: asymmetric only, so a public key is never used as an HMAC secret. */
const PUBLIC_KEY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const SECRET_ALGORITHM = 'HS256';

/** Three base64url parts: what a compact JWS looks like (role tokens are checked first, so one that does is still a role token). */
export const looksLikeJwt = (token: string): boolean => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);

/** jose's error codes → the `reason` a refused token is answered with. */
const REASONS: Readonly<Record<string, string>> = {
  ERR_JWT_EXPIRED: 'TOKEN_EXPIRED',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'TOKEN_SIGNATURE_INVALID',
  ERR_JOSE_ALG_NOT_ALLOWED: 'TOKEN_ALGORITHM_NOT_ALLOWED',
  ERR_JOSE_NOT_SUPPORTED: 'TOKEN_ALGORITHM_NOT_ALLOWED',
  ERR_JWKS_NO_MATCHING_KEY: 'TOKEN_KEY_UNKNOWN',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'TOKEN_KEY_UNKNOWN',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'TOKEN_CLAIM_INVALID',
  ERR_JWS_INVALID: 'TOKEN_MALFORMED',
  ERR_JWT_INVALID: 'TOKEN_MALFORMED',
};

function refusal(error: unknown): Error {
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
  const reason = REASONS[code] ?? 'TOKEN_INVALID';
  const claim = error instanceof Error && 'claim' in error && typeof error.claim === 'string' ? error.claim : undefined;
  const detail = error instanceof Error ? error.message : 'cannot be verified';
  return unauthenticated(`shopper token refused: ${detail}`, { reason, ...(claim ? { claim } : {}) });
}

function readJwks(file: string): JSONWebKeySet {
  const variable = API_ENV_KEYS.shopperTokenJwks;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read a JWKS from ${file}: ${(error as Error).message}`);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new ConfigError(`${variable}: ${file}: expected a JWKS, {"keys": [ ... ]}, with at least one key`);
  if (keys.some((key: unknown) => typeof key === 'object' && key !== null && 'd' in key)) {
    throw new ConfigError(`${variable}: ${file}: holds a private key ("d"); give the API the public keys only`);
  }
  return parsed as JSONWebKeySet;
}

/** The verifier the configuration asks for, or null when no shopper token key is configured. */
export function createShopperVerifier(api: ApiConfig): ShopperTokenVerifier | null {
  const secret = api.shopperTokenKey === undefined ? null : new TextEncoder().encode(api.shopperTokenKey);
  const jwks = api.shopperTokenJwks === undefined ? null : createLocalJWKSet(readJwks(api.shopperTokenJwks));
  if (!secret && !jwks) return null;
  const algorithms = [...(secret ? [SECRET_ALGORITHM] : []), ...(jwks ? PUBLIC_KEY_ALGORITHMS : [])];
  // jose checks the header's algorithm against `algorithms` before asking for a key.
  const key: JWTVerifyGetKey = async (header: JWSHeaderParameters, token) => {
    if (header.alg === SECRET_ALGORITHM && secret) return secret;
    // Unreachable with jose's algorithm check above, kept so that a key is never guessed.
    if (!jwks) throw Object.assign(new Error(`no key for algorithm ${String(header.alg)}`), { code: 'ERR_JOSE_ALG_NOT_ALLOWED' });
    return jwks(header, token);
  };
  const options = {
    algorithms,
    maxTokenAge: api.shopperTokenMaxAgeSeconds,
    requiredClaims: ['sub', 'exp', 'iat'],
    ...(api.shopperTokenIssuer ? { issuer: api.shopperTokenIssuer } : {}),
    ...(api.shopperTokenAudience ? { audience: api.shopperTokenAudience } : {}),
  };
  return {
    async verify(token: string): Promise<Shopper> {
      let subject: string | undefined;
      try {
        subject = (await jwtVerify(token, key, options)).payload.sub;
      } catch (error) {
        if (error instanceof Error && 'extensions' in error) throw error;
        throw refusal(error);
      }
      try {
        return { userId: validateId('sub', subject ?? '') };
      } catch (error) {
        throw unauthenticated(`shopper token refused: ${(error as Error).message}`, { reason: 'TOKEN_CLAIM_INVALID', claim: 'sub' });
      }
    },
  };
}
