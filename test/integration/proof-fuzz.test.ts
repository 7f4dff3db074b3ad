// Proof suite: fuzzing every endpoint with fast-check — generated bodies, headers, content types,
// encodings, event shapes and Authorization values — on a healthy engine. For every case:
// - no 5xx but the documented ones (SELFHOSTED_APP_ERROR when not self-hosted, ACCOUNT_NOT_FOUND
//   for a validly signed JWT of another company; never INTERNAL_SERVER_ERROR), and only the
//   endpoint's documented answers; the authorizer never throws;
// - credentials decide: without valid ones an authenticated route answers 401 (before any body
//   check), with valid ones never 401; a wrong password never signs in;
// - a rejected request leaves the table exactly as it was (a failed sign-in only counts its attempt);
// - no secret (password, service token in any spelling, JWT, signing secret) in the response
//   (beyond the credential the endpoint exists to return) or in any log line, at DEBUG level;
// - every answer is JSON and no-store, and every error the `{"error":{"code","message"}}` envelope.
// `npm test` runs a fixed seed and few cases; `npm run soak` (SOAK=1) 10,000 cases per endpoint.
import fc from 'fast-check';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { V4_UUID, createHarness, type Answer, type Harness, type ManualClock } from '../support/harness.ts';
import { createToken, rotateWithToken } from '../support/lifecycle.ts';
import { captureOutput, createEmptyHarness, createWorld, deleteAccount, envelopeProblem, futureClock, leakedIn, propertyTimeout, runs, secretSpellings, SOAK } from '../support/proof.ts';
import { engineClient } from '../support/engine.ts';
import { signAdminJwt } from '../support/jwt.ts';
import { caseArb, digestOf, examples, resolve, storedSet, tokenIds, tokenStandings, type CaseWeights, type Endpoint, type FuzzCase, type Model } from '../support/proof-fuzz.ts';

/** Every answer each endpoint may give besides 200 (the contract and the decisions in docs/api.md). */
const DOCUMENTED: Record<Exclude<Endpoint, 'serviceTokenAuthorizer'>, string[]> = {
  createAdminAccount: ['400 INVALID_REQUEST_BODY', '400 INVALID_REQUEST', '413 PAYLOAD_TOO_LARGE', '415 UNSUPPORTED_MEDIA_TYPE'],
  createAdminJwt: ['400 INVALID_REQUEST_BODY', '400 INVALID_CREDENTIALS', '429 TOO_MANY_ATTEMPTS', '413 PAYLOAD_TOO_LARGE', '415 UNSUPPORTED_MEDIA_TYPE'],
  createServiceToken: ['400 INVALID_REQUEST_BODY', '401 AUTHENTICATION_ERROR', '413 PAYLOAD_TOO_LARGE', '415 UNSUPPORTED_MEDIA_TYPE', '500 ACCOUNT_NOT_FOUND'],
  rotateServiceToken: [
    '400 INVALID_REQUEST_BODY', '400 AUTHENTICATION_ERROR', '401 AUTHENTICATION_ERROR', '400 EXPIRED_SERVICE_TOKEN',
    '413 PAYLOAD_TOO_LARGE', '415 UNSUPPORTED_MEDIA_TYPE', '500 ACCOUNT_NOT_FOUND',
  ],
  resetAdminPassword: [
    '400 INVALID_REQUEST_BODY', '400 RESET_PASSWORD_ERROR', '401 AUTHENTICATION_ERROR', '413 PAYLOAD_TOO_LARGE',
    '415 UNSUPPORTED_MEDIA_TYPE', '500 ACCOUNT_NOT_FOUND',
  ],
  getServiceToken: ['401 AUTHENTICATION_ERROR'],
  listServiceTokens: ['400 INVALID_REQUEST_BODY', '401 AUTHENTICATION_ERROR', '413 PAYLOAD_TOO_LARGE', '415 UNSUPPORTED_MEDIA_TYPE', '500 ACCOUNT_NOT_FOUND'],
  revokeServiceToken: [
    '400 INVALID_REQUEST_BODY', '401 AUTHENTICATION_ERROR', '400 EXPIRED_SERVICE_TOKEN', '404 SERVICE_TOKEN_NOT_FOUND',
    '413 PAYLOAD_TOO_LARGE', '415 UNSUPPORTED_MEDIA_TYPE', '500 ACCOUNT_NOT_FOUND',
  ],
};

/**
 * Cases per endpoint in the quick subset, and the generator's weights. Credentials that pass are
 * weighted so argon2id work stays rare (see test/support/proof-fuzz.ts).
 */
const PLAN: Record<Endpoint, { quick: number; weights: CaseWeights }> = {
  createAdminAccount: { quick: 60, weights: { validJwt: 1, uuid: 1, freshPer10k: 250 } },
  createAdminJwt: { quick: 60, weights: { validJwt: 1, uuid: 1, advancePer10k: 3 } },
  createServiceToken: { quick: 80, weights: { validJwt: 20, uuid: 2, advancePer10k: 50 } },
  rotateServiceToken: { quick: 80, weights: { validJwt: 12, uuid: 12, tokens: { current: 4, grace: 2 }, advancePer10k: 100 } },
  resetAdminPassword: { quick: 60, weights: { validJwt: 6, uuid: 1, advancePer10k: 50 } },
  getServiceToken: { quick: 60, weights: { validJwt: 1, uuid: 8, tokens: { current: 3, grace: 2, old: 2 }, advancePer10k: 200 } },
  serviceTokenAuthorizer: { quick: 60, weights: { validJwt: 1, uuid: 8, tokens: { current: 3, grace: 2, old: 2 }, advancePer10k: 200 } },
  listServiceTokens: { quick: 50, weights: { validJwt: 12, uuid: 4, tokens: { current: 2, grace: 2 }, advancePer10k: 200 } },
  revokeServiceToken: { quick: 80, weights: { validJwt: 12, uuid: 12, tokens: { current: 4, grace: 2, old: 1 }, advancePer10k: 100 } },
};

interface FuzzWorld {
  readonly harness: Harness;
  readonly clock: ManualClock;
  readonly model: Model;
  /** SELF_HOSTED=false: every endpoint answers 500 SELFHOSTED_APP_ERROR. */
  readonly off: Harness;
  /** The table as last read (after the previous case): the next case's "before". */
  items: Record<string, any>[] | undefined;
  /** Answers seen, by "status code", for the report. */
  readonly tally: Map<string, number>;
  secrets?: { key: string; list: string[] };
  /** Every id revoked so far, and the values of the tokens they named: none may ever be valid again. */
  readonly revoked: { ids: Set<string>; tokens: Set<string> };
}

async function fuzzWorld(endpoint: Endpoint): Promise<FuzzWorld> {
  const off = await createHarness({ clock: futureClock(), logLevel: 'DEBUG', env: { SELF_HOSTED: 'false' } });
  const tally = new Map<string, number>();
  if (endpoint === 'createAdminAccount') {
    const harness = await createEmptyHarness(undefined, 'DEBUG');
    const model: Model = { email: 'nobody@acme-corp.com', password: 'Str0ng!Passw0rd', jwt: '', tokens: new Map(), pastPasswords: new Set() };
    return { harness, clock: harness.app.clock as ManualClock, model, off, items: undefined, tally, revoked: { ids: new Set(), tokens: new Set() } };
  }
  const world = await createWorld({ logLevel: 'DEBUG' });
  const model: Model = {
    email: world.email,
    password: world.password,
    jwt: world.jwt,
    tokens: new Map([[digestOf(world.token!), world.token!]]),
    pastPasswords: new Set([world.password]),
  };
  const w: FuzzWorld = { harness: world.harness, clock: world.clock, model, off, items: undefined, tally, revoked: { ids: new Set(), tokens: new Set() } };
  // Tokens of every standing to present: a revoked one, then rotations leaving two in grace.
  await createToken(world.harness, world.jwt).then((token) => model.tokens.set(digestOf(token), token));
  for (const grace of [0, 600, 3600]) await replenish(w, grace);
  return w;
}

/** Rotates the current token (the old one stays valid for `grace` seconds), as a client would. */
async function replenish(w: FuzzWorld, grace: number): Promise<void> {
  const { current } = tokenStandings(await w.harness.items(), w.model, w.clock.now());
  if (!current) return;
  const rotated = await rotateWithToken(w.harness, 'http-api', current, { expireAt: grace });
  if (rotated.statusCode !== 200) throw new Error(`rotation failed: ${rotated.raw}`);
  w.model.tokens.set(digestOf(rotated.body.key as string), rotated.body.key as string);
  w.items = undefined;
}

/**
 * Revocations use up tokens: keep a current one (a create, as an admin would after revoking it)
 * and at least one in grace (a rotation), so that both forms keep having something to revoke.
 */
async function keepSomethingToRevoke(w: FuzzWorld): Promise<void> {
  const ids = tokenIds((w.items ??= await w.harness.items()), w.clock.now());
  if (ids.current !== undefined && ids.grace.length > 0) return;
  await captureOutput(async () => {
    if (ids.current === undefined) {
      const token = await createToken(w.harness, w.model.jwt);
      w.model.tokens.set(digestOf(token), token);
    }
    await replenish(w, 3600);
  });
  w.items = undefined;
}

/**
 * The world's secrets in every spelling: the signing secrets, every password that was ever right,
 * the current admin JWT, every service token ever seen. Cached: a soak sees hundreds of tokens.
 */
function worldSecrets(w: FuzzWorld): string[] {
  const key = `${w.model.tokens.size}/${w.model.pastPasswords.size}/${w.model.password}/${w.model.jwt}`;
  if (w.secrets?.key !== key) {
    w.secrets = {
      key,
      list: secretSpellings({
        jwts: [w.model.jwt],
        tokens: [...w.model.tokens.values()],
        passwords: [w.model.password, ...w.model.pastPasswords],
        signingSecrets: [w.harness.secret, w.off.secret],
      }),
    };
  }
  return [...w.secrets.list];
}

/**
 * Sign-in cases with arbitrary addresses leave one-attempt counters behind, one per address, and
 * every case scans the table. Dropping those (what TTL does once their window ends) keeps the scan
 * short; counters that lock a bucket stay, so the lock-out keeps argon2id work rare.
 */
async function forgetStaleAttempts(w: FuzzWorld, db: ReturnType<typeof engineClient>): Promise<void> {
  const stale = (w.items ?? []).filter((item) => String(item.pk).startsWith('SIGNIN#') && (item.attempts as number) < 2);
  for (const item of stale) await db.send(new DeleteCommand({ TableName: w.harness.tableName, Key: { pk: item.pk } }));
  w.items = undefined;
}

/** A fresh admin JWT for the account as the table holds it: what signing in would give. */
async function reissue(w: FuzzWorld, items: Record<string, any>[]): Promise<void> {
  const account = items.find((item) => item.pk === 'ACCOUNT');
  if (!account) return;
  w.model.jwt = await signAdminJwt(w.harness, {
    adminId: account.adminId as string,
    companyId: account.companyId as string,
    credentialVersion: account.credentialVersion as number,
  });
}

const withoutSignIns = (items: Record<string, any>[]) => items.filter((item) => !String(item.pk).startsWith('SIGNIN#'));
/** The table without the tokens' use times: what recording a use may change, and nothing else. */
const withoutUseTimes = (items: Record<string, any>[]) =>
  JSON.parse(JSON.stringify(items, (key, value: unknown) => (key === 'lastUsedAt' ? undefined : value))) as Record<string, any>[];
const USE_RECORDING = new Set<Endpoint>(['serviceTokenAuthorizer', 'getServiceToken']);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const hexUuid = (value: unknown) => typeof value === 'string' ? value.replace(/[^0-9a-fA-F]/g, '').toLowerCase() : '';
const asCanonical = (value: unknown) => {
  const hex = hexUuid(value);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/** One case: resolve, call, judge. Returns the problems found (empty: the case holds). */
async function runCase(endpoint: Endpoint, w: FuzzWorld, c: FuzzCase, db: ReturnType<typeof engineClient>): Promise<string[]> {
  const main = c.world === 'main';
  const target = main ? w.harness : w.off;
  if (main && c.step.kind === 'advance') {
    w.clock.advance(c.step.ms);
    // Keep a token in grace around for the routes that only read tokens.
    if (endpoint === 'getServiceToken' || endpoint === 'serviceTokenAuthorizer' || endpoint === 'listServiceTokens') await captureOutput(() => replenish(w, 3600));
    w.items = await w.harness.items();
    await reissue(w, w.items);
  }
  if (main && c.step.kind === 'fresh' && endpoint === 'createAdminAccount') {
    await deleteAccount(db, w.harness);
    w.items = undefined;
  }
  if (main && endpoint === 'createAdminJwt' && (w.items?.length ?? 0) > 60) await forgetStaleAttempts(w, db);
  if (main && endpoint === 'revokeServiceToken') await keepSomethingToRevoke(w);
  const before = main ? (w.items ??= await w.harness.items()) : await w.off.items();
  const now = target.app.clock.now();
  const r = await resolve(endpoint, c, { harness: target, model: w.model, items: before, now });

  const { result: outcome, output } = await captureOutput(async () => {
    try {
      const handler = target.handlers[endpoint] as (event: unknown) => Promise<unknown>;
      return { value: await handler(r.event) };
    } catch (error) {
      return { thrown: error as Error };
    }
  });
  const after = await target.items();
  if (main) w.items = after;

  const problems: string[] = [];
  const standings = tokenStandings(before, w.model, now);
  const responseSecrets = worldSecrets(w).concat(secretSpellings(r.secrets));
  const logSecrets = [...responseSecrets];

  if ('thrown' in outcome) {
    // Only the authorizer may throw, and only when the store fails: never on a healthy engine.
    problems.push(`threw ${outcome.thrown?.name}: ${outcome.thrown?.message}`);
  } else if (endpoint === 'serviceTokenAuthorizer') {
    const result = outcome.value as { isAuthorized: unknown; context: Record<string, unknown> };
    w.tally.set(String(result.isAuthorized), (w.tally.get(String(result.isAuthorized)) ?? 0) + 1);
    if (typeof result.isAuthorized !== 'boolean' || typeof result.context !== 'object') problems.push(`not a simple response: ${JSON.stringify(result)}`);
    const expected = main ? r.token : false;
    if (expected !== undefined && result.isAuthorized !== expected) problems.push(`isAuthorized ${result.isAuthorized}, expected ${expected}`);
    if (result.isAuthorized && !same(Object.keys(result.context).filter((k) => k !== 'expiresAt').sort(), ['companyId', 'createdAt', 'id'])) {
      problems.push(`context ${JSON.stringify(result.context)}`);
    }
    const leak = leakedIn(JSON.stringify(result), responseSecrets);
    if (leak) problems.push(`authorizer result carries a secret: ${leak}`);
  } else {
    const raw = outcome.value as { statusCode: number; headers: Record<string, string>; body: string };
    let body: any;
    try {
      body = JSON.parse(raw.body);
    } catch {
      problems.push(`body is not JSON: ${raw.body}`);
    }
    const answer: Answer = { statusCode: raw.statusCode, headers: raw.headers, body, raw: raw.body };
    const status = raw.statusCode;
    const code = body?.error?.code as string | undefined;
    w.tally.set(`${status} ${code ?? ''}`.trim(), (w.tally.get(`${status} ${code ?? ''}`.trim()) ?? 0) + 1);
    const envelope = envelopeProblem(answer);
    if (envelope) problems.push(envelope);

    if (!main) {
      if (status !== 500 || code !== 'SELFHOSTED_APP_ERROR' || body?.error?.message !== 'This feature is only available for self-hosted instances') {
        problems.push(`not self-hosted, answered ${status} ${raw.body}`);
      }
    } else {
      if (status !== 200 && !DOCUMENTED[endpoint as keyof typeof DOCUMENTED].includes(`${status} ${code}`)) problems.push(`undocumented answer ${status} ${raw.body}`);
      if (status >= 500 && !(code === 'ACCOUNT_NOT_FOUND' && r.otherCompany)) problems.push(`5xx ${status} ${raw.body}`);
      if (code === 'ACCOUNT_NOT_FOUND' && body?.error?.message !== 'ACCOUNT_NOT_FOUND') problems.push(`ACCOUNT_NOT_FOUND message ${raw.body}`);
      if (status === 429 && !/^[1-9]\d*$/.test(answer.headers['Retry-After'] ?? '')) problems.push(`429 without Retry-After`);

      // Authentication decides first (CONTRACT: checked before the body is validated).
      const authenticated =
        endpoint === 'createServiceToken' || endpoint === 'resetAdminPassword' ? r.admin
          : endpoint === 'rotateServiceToken' || endpoint === 'revokeServiceToken' ? (r.uuidBearer ? r.token : r.admin)
          : endpoint === 'listServiceTokens' ? r.admin
            : endpoint === 'getServiceToken' ? r.token
              : undefined;
      if (authenticated === false) {
        const refused = status === 401 || (status === 500 && code === 'ACCOUNT_NOT_FOUND' && r.otherCompany);
        if (!refused) problems.push(`unauthenticated request answered ${status} ${raw.body}`);
        // Service-token routes say so; admin routes (and rotate with a non-UUID bearer) do not.
        const tokenRoute = endpoint === 'getServiceToken' || ((endpoint === 'rotateServiceToken' || endpoint === 'revokeServiceToken') && r.uuidBearer);
        const message = tokenRoute ? 'Invalid Service Token' : 'Invalid or missing credentials';
        if (status === 401 && body?.error?.message !== message) problems.push(`401 message ${body?.error?.message}`);
      }
      if (authenticated === true && status === 401) problems.push(`authenticated request answered 401 ${raw.body}`);
      if (authenticated === true && endpoint === 'getServiceToken' && status !== 200) problems.push(`valid token answered ${status}`);

      if (status === 200) {
        const fields = r.fields ?? {};
        const account = after.find((item) => item.pk === 'ACCOUNT') as Record<string, any> | undefined;
        const previous = before.find((item) => item.pk === 'ACCOUNT') as Record<string, any> | undefined;
        switch (endpoint) {
          case 'createAdminAccount': {
            if (previous) problems.push('a second account was created');
            if (!same(Object.keys(body ?? {}), ['data']) || typeof body?.data?.accessToken !== 'string') problems.push(`200 body ${raw.body}`);
            const email = String(fields.email).trim().toLowerCase();
            if (account?.email !== email) problems.push(`stored email ${account?.email}, sent ${email}`);
            w.model.email = email;
            w.model.password = String(fields.password);
            w.model.pastPasswords.add(w.model.password);
            w.model.jwt = body?.data?.accessToken as string;
            logSecrets.push(w.model.jwt, w.model.password);
            break;
          }
          case 'createAdminJwt': {
            const email = typeof fields.email === 'string' ? fields.email.trim().toLowerCase() : undefined;
            if (email !== w.model.email || fields.password !== w.model.password) problems.push(`signed in with ${JSON.stringify(fields)}`);
            if (!same(withoutSignIns(after), withoutSignIns(before))) problems.push('a sign-in changed the account');
            logSecrets.push(body?.data?.accessToken as string);
            break;
          }
          case 'createServiceToken': {
            const key = asCanonical(fields.token);
            // An explicit create makes even a once revoked value valid again, under a new id.
            w.revoked.tokens.delete(key);
            if (!same(body, { key })) problems.push(`200 body ${raw.body}, sent ${String(fields.token)}`);
            if (account?.serviceTokens?.current?.digest !== digestOf(key) || account?.serviceTokens?.retired?.length !== 0) problems.push('the upserted token is not the only one');
            w.model.tokens.set(digestOf(key), key);
            // The one credential this endpoint exists to return: the submitted token, canonical.
            responseSecrets.splice(0, responseSecrets.length, ...responseSecrets.filter((s) => s !== key));
            logSecrets.push(key);
            break;
          }
          case 'rotateServiceToken': {
            const key = body?.key as string;
            if (!same(Object.keys(body ?? {}), ['key']) || !V4_UUID.test(key ?? '')) problems.push(`200 body ${raw.body}`);
            if (w.model.tokens.has(digestOf(key))) problems.push('rotation handed out a known token');
            if (account?.serviceTokens?.current?.digest !== digestOf(key)) problems.push('the new key is not current');
            const presented = r.uuidBearer ? 'bearer' : asCanonical(fields.token);
            if (presented !== 'bearer' && presented !== standings.current) problems.push(`rotated a token that was not current: ${presented}`);
            w.model.tokens.set(digestOf(key), key);
            logSecrets.push(key);
            break;
          }
          case 'resetAdminPassword': {
            if (fields.currentPassword !== w.model.password) problems.push('reset with a wrong current password');
            if (account?.credentialVersion !== (previous?.credentialVersion as number) + 1) problems.push('credential version not bumped once');
            w.model.password = String(fields.password);
            w.model.pastPasswords.add(w.model.password);
            await reissue(w, after);
            logSecrets.push(w.model.password);
            break;
          }
          case 'getServiceToken': {
            if (!same(Object.keys(body?.data ?? {}).sort(), ['companyId', 'createdAt', 'expiresAt', 'id'])) problems.push(`200 body ${raw.body}`);
            break;
          }
          case 'listServiceTokens': {
            // Every valid token, current first, then by expiresAt descending; ids, times, never a digest.
            const ids = tokenIds(before, now);
            const listed = (body?.data ?? []) as Record<string, unknown>[];
            const expected = [...(ids.current ? [ids.current] : []), ...ids.grace];
            if (!same(listed.map((t) => t.id).sort(), [...expected].sort())) problems.push(`listed ${raw.body}, valid ${JSON.stringify(expected)}`);
            if (ids.current && listed[0]?.id !== ids.current) problems.push('the current token is not listed first');
            const expiries = listed.slice(ids.current ? 1 : 0).map((t) => Date.parse(String(t.expiresAt)));
            if (expiries.some((e, i) => i > 0 && e > expiries[i - 1]!)) problems.push(`not by expiresAt descending: ${raw.body}`);
            for (const t of listed) {
              if (!same(Object.keys(t).sort(), ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'status'])) problems.push(`listed fields ${JSON.stringify(t)}`);
              if (t.status !== (t.id === ids.current ? 'current' : 'grace')) problems.push(`status ${JSON.stringify(t)}`);
            }
            const digests = (storedSet(before)?.retired ?? []).map((t) => t.digest).concat(storedSet(before)?.current?.digest ?? []);
            if (digests.some((d) => raw.body.includes(d))) problems.push('the listing carries a digest');
            if (!same(after, before)) problems.push('listing changed the table');
            break;
          }
          case 'revokeServiceToken': {
            const ids = tokenIds(before, now);
            const revoked = body?.data?.revoked as string[] | undefined;
            const expected = r.uuidBearer ? ids.grace : [fields.id];
            if (!same(Object.keys(body ?? {}), ['data']) || !Array.isArray(revoked) || !same([...revoked].sort(), [...expected].sort())) {
              problems.push(`200 body ${raw.body}, expected revoked ${JSON.stringify(expected)}`);
            }
            if (r.uuidBearer && ids.current === undefined) problems.push('form (b) without a current token');
            if (!r.uuidBearer && !ids.valid.has(String(fields.id))) problems.push(`revoked an id that was not valid: ${String(fields.id)}`);
            const set = storedSet(before);
            for (const id of revoked ?? []) {
              w.revoked.ids.add(id);
              const entry = [set?.current, ...(set?.retired ?? [])].find((t) => t?.id === id);
              const token = entry && w.model.tokens.get(entry.digest);
              if (token) w.revoked.tokens.add(token);
            }
            break;
          }
        }
      }
    }
    const leak = leakedIn(raw.body + JSON.stringify(raw.headers), responseSecrets);
    if (leak) problems.push(`response carries a secret: ${leak}`);

    // A rejected request changes nothing; a failed sign-in only counts its attempt.
    if (status !== 200) {
      const counted = endpoint === 'createAdminJwt' && code === 'INVALID_CREDENTIALS';
      if (!(counted ? same(withoutSignIns(after), withoutSignIns(before)) : same(after, before))) {
        problems.push(`a rejected request (${status} ${code}) changed the table`);
      }
    }
  }
  // The authorizer and introspection write nothing but the presented token's lastUsedAt, and only
  // when they allowed it; afterwards its recorded use is at most 5 minutes old.
  if (USE_RECORDING.has(endpoint) && main) {
    if (!same(withoutUseTimes(after), withoutUseTimes(before))) problems.push(`${endpoint} changed more than a use time`);
    const accepted = 'value' in outcome && (endpoint === 'serviceTokenAuthorizer'
      ? (outcome.value as { isAuthorized: boolean }).isAuthorized
      : (outcome.value as { statusCode: number }).statusCode === 200);
    if (!accepted && !same(after, before)) problems.push(`${endpoint} refused the request but changed the table`);
    if (accepted) {
      const presented = r.secrets.tokens.find((t) => tokenStandings(before, w.model, now).valid.has(t));
      const entry = [storedSet(after)?.current, ...(storedSet(after)?.retired ?? [])].find((t) => presented && t?.digest === digestOf(presented));
      if (!entry || (entry.lastUsedAt ?? 0) <= now - 5 * 60_000 || (entry.lastUsedAt ?? 0) > now) problems.push(`use not recorded: ${JSON.stringify(entry)}`);
    }
  }
  // Whatever happened: no revoked id, and no revoked token (unless created again), is ever valid.
  if (main) {
    const valid = tokenIds(after, w.clock.now());
    const back = [...w.revoked.ids].filter((id) => valid.valid.has(id));
    if (back.length > 0) problems.push(`revoked ids valid again: ${back.join(', ')}`);
    const standing = tokenStandings(after, w.model, w.clock.now());
    if ([...w.revoked.tokens].some((t) => standing.valid.has(t))) problems.push('a revoked token is valid again');
  }

  const logLeak = leakedIn(output, logSecrets);
  if (logLeak) problems.push(`the log carries a secret: ${logLeak}`);
  if (/INTERNAL_SERVER_ERROR|unexpected failure/.test(output)) problems.push(`unexpected failure logged: ${output.slice(0, 500)}`);
  return problems;
}

const ENDPOINTS = Object.keys(PLAN) as Endpoint[];

describe.each(ENDPOINTS)('proof: fuzzing %s', (endpoint) => {
  let world: FuzzWorld;
  const db = engineClient();

  beforeAll(async () => {
    // Set-up logs at DEBUG too; it is not what is under test, so keep it off the console.
    world = (await captureOutput(() => fuzzWorld(endpoint))).result;
  });

  afterAll(() => {
    db.destroy();
    if (SOAK || process.env.PROOF_VERBOSE) {
      const tally = [...world.tally.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ');
      process.stderr.write(`[proof-fuzz ${process.env.DDB_ENGINE}] ${endpoint}: ${tally}\n`);
    }
  });

  test('every generated request gets a documented answer, changes nothing unless accepted, and leaks no secret', async () => {
    const { seed, numRuns } = runs(PLAN[endpoint].quick);
    await fc.assert(
      fc.asyncProperty(caseArb(endpoint, PLAN[endpoint].weights), async (c) => {
        const problems = await runCase(endpoint, world, c, db);
        if (problems.length > 0) throw new Error(problems.join('\n'));
      }),
      { seed, numRuns, examples: examples(endpoint).map((example) => [example]), endOnFailure: SOAK },
    );
  }, propertyTimeout(60_000));
});
