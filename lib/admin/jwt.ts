import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { v4 as uuidv4 } from 'uuid';
import { AuthenticationError } from '../errors.ts';
import type { Clock } from '../runtime/clock.ts';
import type { SigningKeys } from './signing-key.ts';

/** What an admin JWT asserts, once its signature and registered claims have been verified. */
export interface AdminClaims {
  readonly adminId: string;
  readonly companyId: string;
  /** Changes when the password is reset: a JWT carrying an older version is refused. */
  readonly credentialVersion: number;
}

export interface AdminJwtSettings {
  readonly issuer: string;
  readonly audience: string;
  /** The lifetime of the JWTs issued, and the longest lifetime (`exp − iat`) accepted. */
  readonly ttlSeconds: number;
}

// Our own tokens are ~400 characters. Anything far larger is refused before any parsing work.
const MAX_TOKEN_LENGTH = 2048;
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * HS256 admin JWTs, signed and verified with jose. Verification pins the algorithm (so `alg: none`
 * and algorithm-confusion tokens fail), picks the key by the header's `kid`, and requires `exp`,
 * `iat`, `jti`, `sub`, the configured `iss` and `aud`, `role: "admin"`, and our private claims.
 */
export class AdminJwt {
  readonly #keys: SigningKeys;
  readonly #settings: AdminJwtSettings;
  readonly #clock: Clock;

  constructor(keys: SigningKeys, settings: AdminJwtSettings, clock: Clock) {
    this.#keys = keys;
    this.#settings = settings;
    this.#clock = clock;
  }

  async issue(claims: AdminClaims): Promise<string> {
    const now = Math.floor(this.#clock.now() / 1000);
    const { kid, key } = await this.#keys.signingKey();
    return new SignJWT({ companyId: claims.companyId, role: 'admin', cv: claims.credentialVersion })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid })
      .setIssuer(this.#settings.issuer)
      .setAudience(this.#settings.audience)
      .setSubject(claims.adminId)
      .setIssuedAt(now)
      .setExpirationTime(now + this.#settings.ttlSeconds)
      .setJti(uuidv4())
      .sign(key);
  }

  /** The verified claims, or AuthenticationError; never says which check failed. */
  async verify(token: string): Promise<AdminClaims> {
    if (token.length > MAX_TOKEN_LENGTH) throw new AuthenticationError();
    try {
      const key = async ({ kid }: { kid?: unknown }) => {
        if (kid !== undefined && typeof kid !== 'string') throw new AuthenticationError();
        const found = await this.#keys.verificationKey(kid);
        if (!found) throw new AuthenticationError();
        return found;
      };
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: this.#settings.issuer,
        audience: this.#settings.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(this.#clock.now()),
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      });
      // jose has checked that iat and exp are numbers; their values are ours to judge. An iat in the
      // future, or a lifetime beyond the configured one, comes from no JWT this API issued.
      const now = Math.floor(this.#clock.now() / 1000);
      const { iat, exp } = payload as { iat: number; exp: number };
      if (iat > now + CLOCK_TOLERANCE_SECONDS || exp - iat > this.#settings.ttlSeconds) throw new AuthenticationError();
      const { sub, companyId, role, cv } = payload;
      if (role !== 'admin' || typeof sub !== 'string' || typeof companyId !== 'string' || !Number.isSafeInteger(cv)) {
        throw new AuthenticationError();
      }
      return { adminId: sub, companyId, credentialVersion: cv as number };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError || error instanceof AuthenticationError) throw new AuthenticationError();
      throw error;
    }
  }
}
