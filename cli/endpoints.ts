// URLs given on the command line: the API's (--url) and a Lambda endpoint (--endpoint). Credentials
// travel to both, so the same rules hold for both, and no URL is ever repeated with a credential in it.
import { usageError } from './api.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export const isLoopback = (url: URL): boolean => LOOPBACK.has(url.hostname);

/**
 * A URL that may carry credentials: https://, or plain http:// to this machine only (npm start);
 * no user name or password in it (they would be sent to the server and end up in logs).
 */
export function credentialUrl(raw: string, option: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not repeated: whatever it is, it may hold something it should not.
    throw usageError(`${option} is not a URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw usageError(`${option} must not carry a user name or password (${redact(url)}): the API takes its credentials from the environment or stdin`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw usageError(`${option} must be https:// (plain http only to localhost), got ${url.protocol}//${url.host}`);
  }
  return url;
}

/** A URL for a message: its user info replaced, its query string and fragment left out. */
export function redact(url: URL): string {
  const userInfo = url.username !== '' || url.password !== '' ? '***@' : '';
  return `${url.protocol}//${userInfo}${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}
