import { randomUUID } from 'node:crypto';
import { SignJWT, type CryptoKey } from 'jose';
import type { Harness } from './harness.ts';

export interface ForgeOptions {
  /**
   * Merged over the claims a genuine admin JWT of this harness carries (iss, aud, sub, companyId,
   * role, cv, iat, exp, jti). A claim set to `undefined` is left out of the token.
   */
  readonly claims?: Record<string, unknown>;
  /** Protected header `alg`; default HS256. `none` builds an unsecured JWT (empty signature). */
  readonly alg?: 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'none';
  /** Signing key; default the harness's own secret, so only the overridden part is wrong. */
  readonly key?: Uint8Array | CryptoKey;
  /** Protected header `kid`; default the harness's key id. `null` leaves it out. */
  readonly kid?: string | null;
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** Who an admin JWT speaks for: the claims `sub`, `companyId` and `cv`. */
export interface AdminIdentity {
  readonly adminId: string;
  readonly companyId: string;
  readonly credentialVersion: number;
}

/**
 * An admin JWT signed with the harness's secret: with no overrides exactly what the API issues
 * for `identity` (and so valid); `undefined` values leave a claim out. Needs no table read.
 * Time claims follow the harness clock.
 */
export async function signAdminJwt(
  harness: Harness,
  identity: AdminIdentity,
  overrides: Record<string, unknown> = {},
  options: Pick<ForgeOptions, 'alg' | 'key' | 'kid'> = {},
): Promise<string> {
  const now = Math.floor(harness.app.clock.now() / 1000);
  const merged: Record<string, unknown> = {
    iss: harness.config.jwt.issuer,
    aud: harness.config.jwt.audience,
    sub: identity.adminId,
    companyId: identity.companyId,
    role: 'admin',
    cv: identity.credentialVersion,
    iat: now,
    exp: now + harness.config.jwt.ttlSeconds,
    jti: randomUUID(),
    ...overrides,
  };
  const payload = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
  const alg = options.alg ?? 'HS256';
  if (alg === 'none') return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
  const kid = options.kid === undefined ? harness.kid : options.kid;
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT', ...(kid !== null && { kid }) }).sign(options.key ?? harness.secret);
}

/**
 * An admin JWT built by hand for the harness's account. Without options it is exactly what the
 * API itself issues (and is accepted), so a test that overrides one thing proves that one thing
 * is checked.
 */
export async function forgeJwt(harness: Harness, options: ForgeOptions = {}): Promise<string> {
  // A harness without a table (createTable: false) has no account to read: random ids then.
  const account = await harness.app.accounts.get().catch(() => undefined);
  const identity = account ?? { adminId: randomUUID(), companyId: randomUUID(), credentialVersion: 1 };
  return signAdminJwt(harness, identity, options.claims, options);
}
