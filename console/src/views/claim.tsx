import { useState } from 'preact/hooks';
import { call } from '../api.ts';
import { ErrorMessage, Field, useAction, ViewHeading } from '../components.tsx';

/** How this deployment lets its first admin claim it (the page's `<meta name="claim-mode">`). */
export type ClaimMode = 'setupCode' | 'iam' | 'open';

export const PASSWORD_RULES = '8 to 128 characters, with an uppercase and a lowercase letter, a digit and a special character; no spaces.';

/**
 * POST /api/v2/admin-account: the company and its first admin, once per instance. With a setup
 * code (`setupCode` mode) the code goes in the X-Setup-Code header; in `iam` mode only the
 * operator's command line can claim, and the page says so.
 */
export function ClaimView({ mode, onSignedIn, onBack }: { mode: ClaimMode; onSignedIn: (jwt: string) => void; onBack: () => void }) {
  const [firstName, setFirstName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [companyName, setCompanyName] = useState('');
  const [setupCode, setSetupCode] = useState('');
  const action = useAction();
  const back = <button type="button" class="link" onClick={onBack}>Back to sign in</button>;

  if (mode === 'iam') {
    return (
      <section class="card narrow">
        <ViewHeading>Claim this instance</ViewHeading>
        <p>This deployment can only be claimed by its operator, with the deployer's AWS credentials:</p>
        <pre><code>npm exec databrain-admin -- bootstrap --stage &lt;stage&gt;</code></pre>
        <p>Then sign in here with the email and password you gave it.</p>
        <p>{back}</p>
      </section>
    );
  }

  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const answer = await call<{ data: { accessToken: string } }>('POST', '/api/v2/admin-account', {
        body: { firstName, email, password, companyName },
        ...(mode === 'setupCode' ? { headers: { 'X-Setup-Code': setupCode } } : {}),
      });
      setPassword('');
      setSetupCode('');
      onSignedIn(answer.data.accessToken);
    });
  };
  return (
    <section class="card narrow">
      <ViewHeading>Claim this instance</ViewHeading>
      <p>Create the company and its first admin. This works once: afterwards, everyone signs in.</p>
      <form onSubmit={submit} noValidate>
        {mode === 'setupCode'
          ? <Field label="Setup code" name="setupCode" type="password" value={setupCode} onInput={setSetupCode}
              hint="The stack's secret databrain-admin-api/<stage>/setup-code (aws secretsmanager get-secret-value --secret-id databrain-admin-api/<stage>/setup-code)." />
          : null}
        <Field label="First name" name="firstName" value={firstName} onInput={setFirstName} autoComplete="given-name" hint="3 to 30 characters." />
        <Field label="Email" name="email" type="email" value={email} onInput={setEmail} autoComplete="username" hint="A work address: consumer mail domains are refused." />
        <Field label="Password" name="password" type="password" value={password} onInput={setPassword} autoComplete="new-password" hint={PASSWORD_RULES} />
        <Field label="Company" name="companyName" value={companyName} onInput={setCompanyName} autoComplete="organization" />
        <ErrorMessage text={action.error} />
        <button type="submit" disabled={action.busy}>Create admin account</button>
      </form>
      <p class="aside">{back}</p>
    </section>
  );
}
