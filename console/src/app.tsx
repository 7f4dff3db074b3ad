import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { createSession, SESSION_EXPIRED, SessionContext, type Session } from './session.ts';
import { ClaimView, type ClaimMode } from './views/claim.tsx';
import { DataAppsView } from './views/data-apps.tsx';
import { PasswordView } from './views/password.tsx';
import { ServiceTokensView } from './views/service-tokens.tsx';
import { SignInView } from './views/sign-in.tsx';

/** Set by the build (scripts/console.ts): whether the stack routes the Data App API. */
declare const DATA_APPS_ENABLED: boolean;

type SignedInView = 'serviceTokens' | 'dataApps' | 'password';

/** The views of a signed-in operator, in the navigation's order. */
const VIEWS: readonly { id: SignedInView; label: string }[] = [
  { id: 'serviceTokens', label: 'Service tokens' },
  ...(DATA_APPS_ENABLED ? [{ id: 'dataApps' as const, label: 'Data Apps' }] : []),
  { id: 'password', label: 'Password' },
];

/** The claim mode the serving function wrote into the page (`<meta name="claim-mode">`). */
function claimModeOfPage(): ClaimMode {
  const value = document.querySelector('meta[name="claim-mode"]')?.getAttribute('content');
  return value === 'setupCode' || value === 'iam' ? value : 'open';
}

export function App() {
  const [claimMode] = useState(claimModeOfPage);
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [signedOutView, setSignedOutView] = useState<'signIn' | 'claim'>('signIn');
  const [view, setView] = useState<SignedInView>('serviceTokens');
  const [notice, setNotice] = useState<string | undefined>(undefined);

  const signIn = (jwt: string) => {
    const ended = (message: string) => {
      setSession(undefined);
      setSignedOutView('signIn');
      setNotice(message);
    };
    setNotice(undefined);
    setView('serviceTokens');
    setSession(createSession(jwt, ended));
  };

  // Back to sign-in when the JWT expires, without waiting for the API's 401.
  useEffect(() => {
    if (session?.expiresAt === undefined) return undefined;
    const timer = setTimeout(() => session.end(SESSION_EXPIRED), Math.max(0, session.expiresAt * 1000 - Date.now()));
    return () => clearTimeout(timer);
  }, [session]);

  if (!session) {
    return (
      <div class="page">
        <Header />
        <main id="main">
          {signedOutView === 'signIn'
            ? <SignInView notice={notice} onSignedIn={signIn} onClaim={() => { setNotice(undefined); setSignedOutView('claim'); }} />
            : <ClaimView mode={claimMode} onSignedIn={signIn} onBack={() => setSignedOutView('signIn')} />}
        </main>
      </div>
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <div class="page">
        <Header>
          <nav aria-label="Console">
            <ul>
              {VIEWS.map(({ id, label }) => (
                <li key={id}>
                  <a href={`#${id}`} aria-current={view === id ? 'page' : undefined}
                    onClick={(event) => { event.preventDefault(); setView(id); }}>{label}</a>
                </li>
              ))}
            </ul>
          </nav>
          <button type="button" class="secondary sign-out" onClick={() => session.end('You are signed out.')}>Sign out</button>
        </Header>
        <main id="main">
          {view === 'serviceTokens' ? <ServiceTokensView key="serviceTokens" /> : null}
          {view === 'dataApps' && DATA_APPS_ENABLED ? <DataAppsView key="dataApps" /> : null}
          {view === 'password' ? <PasswordView key="password" /> : null}
        </main>
      </div>
    </SessionContext.Provider>
  );
}

function Header({ children }: { children?: ComponentChildren }) {
  return (
    <header class="top">
      <a class="skip" href="#main">Skip to content</a>
      <p class="brand">Admin console</p>
      {children}
    </header>
  );
}
