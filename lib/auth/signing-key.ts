import { readFile } from 'node:fs/promises';
import type { Config } from '../config.ts';

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
export function signingKeyLoader(jwt: Config['jwt']): () => Promise<Uint8Array> {
  let pending: Promise<Uint8Array> | undefined;
  const load = async (): Promise<Uint8Array> => {
    if (jwt.secretFile) return decodeSecret(await readFile(jwt.secretFile, 'utf8'), 'JWT_SECRET_FILE');
    throw new Error('JWT_SECRET_ARN is not supported yet');
  };
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
