import { useState } from 'preact/hooks';
import { call } from '../api.ts';
import { ErrorMessage, Field, useAction, ViewHeading } from '../components.tsx';

interface AccessToken {
  data: { accessToken: string };
}

/** POST /api/v2/admin-account/jwt: email and password for an admin JWT. */
export function SignInView({ notice, onSignedIn, onClaim }: { notice: string | undefined; onSignedIn: (jwt: string) => void; onClaim: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const answer = await call<AccessToken>('POST', '/api/v2/admin-account/jwt', { body: { email, password } });
      setPassword('');
      onSignedIn(answer.data.accessToken);
    });
  };
  return (
    <section class="card narrow">
      <ViewHeading>Sign in</ViewHeading>
      {notice ? <p class="message notice" role="status">{notice}</p> : null}
      <form onSubmit={submit} noValidate>
        <Field label="Email" name="email" type="email" value={email} onInput={setEmail} autoComplete="username" />
        <Field label="Password" name="password" type="password" value={password} onInput={setPassword} autoComplete="current-password" />
        <ErrorMessage text={action.error} />
        <button type="submit" disabled={action.busy}>Sign in</button>
      </form>
      <p class="aside">A new instance has no admin yet. <button type="button" class="link" onClick={onClaim}>Claim this instance</button></p>
    </section>
  );
}
