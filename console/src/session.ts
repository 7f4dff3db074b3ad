import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiRefusal, call, type CallOptions } from './api.ts';
import { SessionEnded } from './components.tsx';
import { jwtExpiry } from './format.ts';

/**
 * A signed-in operator: the admin JWT, held in this object in page memory only (never
 * localStorage, sessionStorage, a cookie or the URL), and calls made with it. A 401 means the API
 * no longer takes the JWT (expired, or revoked by a password reset): the session ends and the
 * console returns to sign-in.
 */
export interface Session {
  /** When the JWT expires (its `exp`, seconds since the epoch), if it says. */
  readonly expiresAt: number | undefined;
  call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options?: Omit<CallOptions, 'jwt'>): Promise<T>;
  /** Ends the session (the JWT is dropped) and shows sign-in with `notice`. */
  end(notice: string): void;
}

export const SESSION_EXPIRED = 'Your session has ended: the admin JWT expired or was revoked. Sign in again.';

export function createSession(jwt: string, end: (notice: string) => void): Session {
  let token: string | undefined = jwt;
  const session: Session = {
    expiresAt: jwtExpiry(jwt),
    async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: Omit<CallOptions, 'jwt'> = {}) {
      if (token === undefined) throw new SessionEnded();
      try {
        return await call<T>(method, path, { ...options, jwt: token });
      } catch (error) {
        if (error instanceof ApiRefusal && error.status === 401) {
          session.end(SESSION_EXPIRED);
          throw new SessionEnded();
        }
        throw error;
      }
    },
    end(notice) {
      if (token === undefined) return;
      token = undefined;
      end(notice);
    },
  };
  return session;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in view');
  return session;
}
