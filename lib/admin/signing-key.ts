import { readFile } from 'node:fs/promises';
import type { Config } from '../runtime/config.ts';
import { readSecretString } from '../aws/secrets-manager.ts';

export const MIN_SECRET_BYTES = 32;

/** The decoded secret, refused when it carries fewer than 256 bits. Never logged, never echoed. */
export function decodeSecret(encoded: string, origin: string): Uint8Array {
  const bytes = Buffer.from(encoded.trim(), 'base64url');
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new Error(`JWT signing secret from ${origin} must hold at least ${MIN_SECRET_BYTES} bytes (base64url)`);
  }
  return new Uint8Array(bytes);
}

/**
 * Loads the JWT signing secret once per container and keeps it for the container's life. A failed
 * load is not cached, so the next invocation tries again.
 */
export function signingKeyLoader(config: Pick<Config, 'jwt' | 'region'>): () => Promise<Uint8Array> {
  const { secretFile, secretArn } = config.jwt;
  let pending: Promise<Uint8Array> | undefined;
  const load = async (): Promise<Uint8Array> => {
    if (secretFile) return decodeSecret(await readFile(secretFile, 'utf8'), 'JWT_SECRET_FILE');
    // loadConfig guarantees one of the two is set.
    return decodeSecret(await readSecretString(secretArn!, config.region), 'JWT_SECRET_ARN');
  };
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
