import { useEffect, useState } from 'preact/hooks';
import { Choice, Confirm, ErrorMessage, Field, SecretOnce, useAction, ViewHeading } from '../components.tsx';
import { GRACE_PERIODS, when } from '../format.ts';
import { useSession } from '../session.ts';

interface ServiceToken {
  id: string;
  status: 'current' | 'grace';
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/**
 * The company's service tokens (GET /api/v2/service-tokens): list, create (the value made here
 * with crypto.randomUUID() and shown once), rotate the current one with a grace period, revoke one,
 * end every grace period. All with the admin JWT; a value is only ever in this view's memory.
 */
export function ServiceTokensView() {
  const session = useSession();
  const [tokens, setTokens] = useState<ServiceToken[] | undefined>(undefined);
  const [secret, setSecret] = useState<{ title: string; value: string } | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const listing = useAction();
  const changing = useAction();

  const reload = () => listing.run(async () => {
    setTokens((await session.call<{ data: ServiceToken[] }>('GET', '/api/v2/service-tokens')).data);
  });
  useEffect(() => { void reload(); }, []);

  const create = () => changing.run(async () => {
    const token = crypto.randomUUID();
    const { key } = await session.call<{ key: string }>('POST', '/api/v2/service-token', { body: { token } });
    setDone(undefined);
    setSecret({ title: 'New service token', value: key });
    await reload();
  });

  const revoke = (id: string) => changing.run(async () => {
    const { data } = await session.call<{ data: { revoked: string[] } }>('POST', '/api/v2/service-token/revoke', { body: { id } });
    setDone(`Revoked ${data.revoked.join(', ')}.`);
    await reload();
  });

  const grace = (tokens ?? []).filter((t) => t.status === 'grace');
  // One revoke by id per token in grace: the admin JWT's form, so the operator types no token.
  const endGrace = () => changing.run(async () => {
    const revoked: string[] = [];
    for (const { id } of grace) {
      const { data } = await session.call<{ data: { revoked: string[] } }>('POST', '/api/v2/service-token/revoke', { body: { id } });
      revoked.push(...data.revoked);
    }
    setDone(`Ended the grace period of ${revoked.join(', ')}.`);
    await reload();
  });

  return (
    <section>
      <ViewHeading>Service tokens</ViewHeading>
      <p class="lead">Pipelines use the service token for organization-level calls. The API keeps only digests: a token is shown once, when it is made.</p>
      {secret ? <SecretOnce title={secret.title} secret={secret.value} onDone={() => setSecret(undefined)} /> : null}
      <p class="message" role="status">{done ?? ''}</p>
      <ErrorMessage text={changing.error} />

      <h2>Valid tokens</h2>
      <ErrorMessage text={listing.error} />
      {tokens === undefined ? <p>Loading…</p> : tokens.length === 0 ? <p>No valid service token. Create one below.</p> : (
        <table>
          <thead>
            <tr><th scope="col">ID</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id}>
                <td data-label="ID"><code>{token.id}</code></td>
                <td data-label="Status">{token.status === 'current' ? 'Current' : 'Grace period'}</td>
                <td data-label="Created">{when(token.createdAt, '')}</td>
                <td data-label="Expires">{when(token.expiresAt, 'Never (current)')}</td>
                <td data-label="Last used">{when(token.lastUsedAt, 'Never')}</td>
                <td>
                  <Confirm label="Revoke" accessibleLabel={`Revoke ${token.id}`} busy={changing.busy}
                    question={`Revoke ${token.id}? It stops working at once.`} confirmLabel="Revoke token" onConfirm={() => revoke(token.id)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {grace.length > 0 ? (
        <p>
          <Confirm label="End every grace period" busy={changing.busy}
            question={`Revoke the ${grace.length} token${grace.length === 1 ? '' : 's'} in a grace period now?`}
            confirmLabel="End grace periods" onConfirm={endGrace} />
        </p>
      ) : null}

      <div class="columns">
        <section class="card" aria-labelledby="create-title">
          <h2 id="create-title">Create a token</h2>
          <p>The console makes a random token in this browser and sends it to the API. Every other token, the current one and those in a grace period, stops working at once.</p>
          {tokens && tokens.length > 0
            ? <Confirm label="Create token" danger={false} busy={changing.busy} question={`Replace all ${tokens.length} valid token${tokens.length === 1 ? '' : 's'}?`}
                confirmLabel="Create and revoke the others" onConfirm={create} />
            : <button type="button" disabled={changing.busy || tokens === undefined} onClick={() => void create()}>Create token</button>}
        </section>
        <RotateForm onRotated={async (key) => { setDone(undefined); setSecret({ title: 'New service token', value: key }); await reload(); }} />
      </div>
    </section>
  );
}

/** POST /api/v2/service-token/rotate, form (a): the current token's value, typed here, and a grace period. */
function RotateForm({ onRotated }: { onRotated: (key: string) => Promise<void> }) {
  const session = useSession();
  const [current, setCurrent] = useState('');
  const [expireAt, setExpireAt] = useState('3600');
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const { key } = await session.call<{ key: string }>('POST', '/api/v2/service-token/rotate', { body: { token: current.trim(), expireAt: Number(expireAt) } });
      setCurrent('');
      await onRotated(key);
    });
  };
  return (
    <section class="card" aria-labelledby="rotate-title">
      <h2 id="rotate-title">Rotate the current token</h2>
      <p>The API makes the new token; the old one keeps working for the grace period, so consumers can move over.</p>
      <form onSubmit={submit} noValidate>
        <Field label="Current token" name="currentToken" type="password" value={current} onInput={setCurrent}
          hint="Its value: the API stores only a digest, so the console cannot fill it in." />
        <Choice label="Grace period" name="gracePeriod" value={expireAt} onChange={setExpireAt}
          options={GRACE_PERIODS.map(({ seconds, label }) => ({ value: String(seconds), label }))} />
        <ErrorMessage text={action.error} />
        <button type="submit" disabled={action.busy}>Rotate token</button>
      </form>
    </section>
  );
}
