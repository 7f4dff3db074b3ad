import { useState } from 'preact/hooks';
import { ErrorMessage, Field, useAction, ViewHeading } from '../components.tsx';
import { useSession } from '../session.ts';
import { PASSWORD_RULES } from './claim.tsx';

/**
 * POST /api/v2/service-token/reset-password. On success the API revokes every admin JWT issued
 * before, this session's too: the console signs out and says so.
 */
export function PasswordView() {
  const session = useSession();
  const [currentPassword, setCurrentPassword] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      await session.call('POST', '/api/v2/service-token/reset-password', { body: { currentPassword, password } });
      session.end('Your password is changed, and every admin session was signed out. Sign in with the new password.');
    });
  };
  return (
    <section class="card narrow">
      <ViewHeading>Reset password</ViewHeading>
      <p>Every admin JWT issued before the change stops working, this session's included.</p>
      <form onSubmit={submit} noValidate>
        <Field label="Current password" name="currentPassword" type="password" value={currentPassword} onInput={setCurrentPassword} autoComplete="current-password" />
        <Field label="New password" name="newPassword" type="password" value={password} onInput={setPassword} autoComplete="new-password" hint={PASSWORD_RULES} />
        <ErrorMessage text={action.error} />
        <button type="submit" disabled={action.busy}>Reset password</button>
      </form>
    </section>
  );
}
