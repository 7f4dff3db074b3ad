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
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * An admin JWT built by hand. Without options it is exactly what the API itself issues for the
 * harness's account (and is accepted), so a test that overrides one thing proves that one thing is
 * checked. Time claims follow the harness clock.
 */
export async function forgeJwt(harness: Harness, options: ForgeOptions = {}): Promise<string> {
  // A harness without a table (createTable: false) has no account to read: random ids then.
  const account = await harness.app.accounts.get().catch(() => undefined);
  const now = Math.floor(harness.app.clock.now() / 1000);
  const merged: Record<string, unknown> = {
    iss: harness.config.jwt.issuer,
    aud: harness.config.jwt.audience,
    sub: account?.adminId ?? randomUUID(),
    companyId: account?.companyId ?? randomUUID(),
    role: 'admin',
    cv: account?.credentialVersion ?? 1,
    iat: now,
    exp: now + harness.config.jwt.ttlSeconds,
    jti: randomUUID(),
    ...options.claims,
  };
  const payload = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
  const alg = options.alg ?? 'HS256';
  if (alg === 'none') return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(options.key ?? harness.secret);
}
