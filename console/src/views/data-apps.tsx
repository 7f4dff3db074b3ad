import { useEffect, useState } from 'preact/hooks';
import { Choice, Confirm, ErrorMessage, Field, SecretOnce, useAction, ViewHeading } from '../components.tsx';
import { GRACE_PERIODS, when } from '../format.ts';
import { useSession } from '../session.ts';

interface DataApp {
  name: string;
  createdAt: string;
  updatedAt: string;
  apiTokenCount: number;
}

interface ApiKey {
  id: string;
  name: string;
  status: 'active' | 'grace';
  keyHint: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const DATA_APP = '/api/v2/data-app';

/**
 * The Data Apps (GET/POST/PUT/DELETE /api/v2/data-app) and, for the one opened, its API keys
 * (/api/v2/data-app/api-tokens, rotate-api, api-tokens/revoke), with the admin JWT.
 */
export function DataAppsView() {
  const session = useSession();
  const [apps, setApps] = useState<DataApp[] | undefined>(undefined);
  const [opened, setOpened] = useState<string | undefined>(undefined);
  const [name, setName] = useState('');
  const [done, setDone] = useState<string | undefined>(undefined);
  const listing = useAction();
  const creating = useAction();

  const reload = () => listing.run(async () => {
    setApps((await session.call<{ data: DataApp[] }>('GET', DATA_APP)).data);
  });
  useEffect(() => { void reload(); }, []);

  const create = (event: Event) => {
    event.preventDefault();
    void creating.run(async () => {
      const created = await session.call<{ name: string }>('POST', DATA_APP, { body: { name } });
      setName('');
      setDone(`Created ${created.name}.`);
      await reload();
    });
  };

  return (
    <section>
      <ViewHeading>Data Apps</ViewHeading>
      <p class="lead">Each Data App owns its API keys. Deleting an app stops every one of its keys at once.</p>
      <p class="message" role="status">{done ?? ''}</p>
      <ErrorMessage text={listing.error} />
      {apps === undefined ? <p>Loading…</p> : apps.length === 0 ? <p>No Data App yet. Create one below.</p> : (
        <table>
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">API keys</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {apps.map((app) => (
              <tr key={app.name}>
                <td data-label="Name">{app.name}</td>
                <td data-label="Created">{when(app.createdAt, '')}</td>
                <td data-label="API keys">{app.apiTokenCount}</td>
                <td>
                  <button type="button" class="secondary" aria-label={`${opened === app.name ? 'Close' : 'Open'} ${app.name}`} aria-expanded={opened === app.name}
                    onClick={() => setOpened(opened === app.name ? undefined : app.name)}>{opened === app.name ? 'Close' : 'Open'}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {opened !== undefined ? (
        <DataAppPanel key={opened} name={opened} onKeysChanged={() => void reload()}
          onChanged={async (message, now) => { setDone(message); setOpened(now); await reload(); }} />
      ) : null}
      <section class="card" aria-labelledby="create-app-title">
        <h2 id="create-app-title">Create a Data App</h2>
        <form onSubmit={create} noValidate>
          <Field label="Name" name="dataAppName" value={name} onInput={setName} hint="1 to 100 characters, unique in the company; no leading or trailing spaces." />
          <ErrorMessage text={creating.error} />
          <button type="submit" disabled={creating.busy}>Create Data App</button>
        </form>
      </section>
    </section>
  );
}

/** One Data App: rename, delete (confirmed by typing its name), and its API keys. */
function DataAppPanel({ name, onChanged, onKeysChanged }: {
  name: string; onChanged: (message: string, opened: string | undefined) => Promise<void>; onKeysChanged: () => void;
}) {
  const session = useSession();
  const [updateName, setUpdateName] = useState('');
  const [typed, setTyped] = useState('');
  const renaming = useAction();
  const deleting = useAction();

  const rename = (event: Event) => {
    event.preventDefault();
    void renaming.run(async () => {
      const renamed = await session.call<{ name: string }>('PUT', DATA_APP, { body: { name, updateName } });
      await onChanged(`Renamed ${name} to ${renamed.name}.`, renamed.name);
    });
  };
  const remove = (event: Event) => {
    event.preventDefault();
    void deleting.run(async () => {
      await session.call<{ name: string }>('DELETE', DATA_APP, { query: { name } });
      await onChanged(`Deleted ${name} and every one of its API keys.`, undefined);
    });
  };

  return (
    <section class="card app" aria-labelledby="app-title">
      <h2 id="app-title">{name}</h2>
      <ApiKeys dataAppName={name} onChanged={onKeysChanged} />
      <div class="columns">
        <form onSubmit={rename} noValidate aria-labelledby="rename-title">
          <h3 id="rename-title">Rename</h3>
          <Field label="New name" name="updateName" value={updateName} onInput={setUpdateName} />
          <ErrorMessage text={renaming.error} />
          <button type="submit" disabled={renaming.busy}>Rename Data App</button>
        </form>
        <form onSubmit={remove} noValidate aria-labelledby="delete-title">
          <h3 id="delete-title">Delete</h3>
          <Field label={`Type ${name} to confirm`} name="confirmName" value={typed} onInput={setTyped}
            hint="Every API key of this app stops working at once; the name is free again." />
          <ErrorMessage text={deleting.error} />
          <button type="submit" class="danger" disabled={deleting.busy || typed !== name}>Delete Data App</button>
        </form>
      </div>
    </section>
  );
}

/** The API keys of one Data App: list (hint and last use, never a value), create (shown once), rotate, revoke. */
function ApiKeys({ dataAppName, onChanged }: { dataAppName: string; onChanged: () => void }) {
  const session = useSession();
  const [keys, setKeys] = useState<ApiKey[] | undefined>(undefined);
  const [keyName, setKeyName] = useState('');
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [rotating, setRotating] = useState({ key: '', expireAt: '3600' });
  const listing = useAction();
  const changing = useAction();
  const rotation = useAction();

  const load = () => listing.run(async () => {
    setKeys((await session.call<{ data: ApiKey[] }>('GET', `${DATA_APP}/api-tokens`, { query: { dataAppName } })).data);
  });
  useEffect(() => { void load(); }, []);
  // After a change: this list, and the apps' key counts.
  const reload = async () => {
    await load();
    onChanged();
  };

  const create = (event: Event) => {
    event.preventDefault();
    void changing.run(async () => {
      const { key } = await session.call<{ key: string }>('POST', `${DATA_APP}/api-tokens`, { body: { dataAppName, name: keyName } });
      setKeyName('');
      setDone(undefined);
      setSecret(key);
      await reload();
    });
  };
  const revoke = (id: string) => changing.run(async () => {
    const { data } = await session.call<{ data: { revoked: string[] } }>('POST', `${DATA_APP}/api-tokens/revoke`, { body: { dataAppName, id } });
    setDone(`Revoked ${data.revoked.join(', ')}.`);
    await reload();
  });
  const rotate = (event: Event) => {
    event.preventDefault();
    void rotation.run(async () => {
      const { key } = await session.call<{ key: string }>('POST', `${DATA_APP}/rotate-api`, { body: { key: rotating.key.trim(), expireAt: Number(rotating.expireAt) } });
      setRotating({ ...rotating, key: '' });
      setDone(undefined);
      setSecret(key);
      await reload();
    });
  };

  return (
    <div class="keys">
      <h3>API keys</h3>
      {secret ? <SecretOnce title="New API key" secret={secret} onDone={() => setSecret(undefined)} /> : null}
      <p class="message" role="status">{done ?? ''}</p>
      <ErrorMessage text={listing.error ?? changing.error} />
      {keys === undefined ? <p>Loading…</p> : keys.length === 0 ? <p>No valid API key.</p> : (
        <table>
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id}>
                <td data-label="Name">{key.name}</td>
                <td data-label="Key"><code>{key.keyHint}</code> <span class="id">{key.id}</span></td>
                <td data-label="Status">{key.status === 'active' ? 'Active' : 'Grace period'}</td>
                <td data-label="Created">{when(key.createdAt, '')}</td>
                <td data-label="Expires">{when(key.expiresAt, 'Never')}</td>
                <td data-label="Last used">{when(key.lastUsedAt, 'Never')}</td>
                <td>
                  <Confirm label="Revoke" accessibleLabel={`Revoke ${key.name} (${key.id})`} busy={changing.busy}
                    question={`Revoke ${key.name}? It stops working at once.`} confirmLabel="Revoke API key" onConfirm={() => revoke(key.id)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="columns">
        <form onSubmit={create} noValidate aria-labelledby="create-key-title">
          <h4 id="create-key-title">Create an API key</h4>
          <Field label="Key name" name="keyName" value={keyName} onInput={setKeyName} />
          <button type="submit" disabled={changing.busy}>Create API key</button>
        </form>
        <form onSubmit={rotate} noValidate aria-labelledby="rotate-key-title">
          <h4 id="rotate-key-title">Rotate an API key</h4>
          <Field label="API key" name="apiKey" type="password" value={rotating.key} onInput={(key) => setRotating({ ...rotating, key })}
            hint="Its value: the API stores only a digest." />
          <Choice label="Grace period" name="keyGracePeriod" value={rotating.expireAt} onChange={(expireAt) => setRotating({ ...rotating, expireAt })}
            options={GRACE_PERIODS.map(({ seconds, label }) => ({ value: String(seconds), label }))} />
          <ErrorMessage text={rotation.error} />
          <button type="submit" disabled={rotation.busy}>Rotate API key</button>
        </form>
      </div>
    </div>
  );
}
