// Generators and oracle of the fuzzing proof suite (test/integration/proof-fuzz.test.ts).
//
// A generated case is symbolic (fast-check arbitraries are synchronous and know nothing of the
// table): "the current service token, braced and upper-cased", "a JWT signed with the right secret
// but another company". `resolve` turns it into a concrete Lambda event against the world's state
// just read from the table, together with what the answer must be (authenticated or not, which
// secrets it must not echo).
//
// Cost design: argon2id (~60 ms) runs only for valid-shaped sign-up bodies on an empty instance,
// valid-shaped sign-ins that get past the lock-out, and authenticated valid-shaped password resets.
// Those shapes are weighted low; everything else is refused in a millisecond or two.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { eventFor, type EventShape, type Harness } from './harness.ts';
import { authorizerEvent } from './lifecycle.ts';
import { signAdminJwt } from './jwt.ts';
import { uuidSpellings } from './proof.ts';

export type Endpoint =
  | 'createAdminAccount'
  | 'createAdminJwt'
  | 'createServiceToken'
  | 'rotateServiceToken'
  | 'resetAdminPassword'
  | 'getServiceToken'
  | 'serviceTokenAuthorizer'
  | 'listServiceTokens'
  | 'revokeServiceToken';

export const PATH: Record<Endpoint, string> = {
  createAdminAccount: '/api/v2/admin-account',
  createAdminJwt: '/api/v2/admin-account/jwt',
  createServiceToken: '/api/v2/service-token',
  rotateServiceToken: '/api/v2/service-token/rotate',
  resetAdminPassword: '/api/v2/service-token/reset-password',
  getServiceToken: '/api/v2/service-token',
  serviceTokenAuthorizer: '/api/v2/service-token',
  listServiceTokens: '/api/v2/service-tokens',
  revokeServiceToken: '/api/v2/service-token/revoke',
};

/** The routes read with GET; every other one is a POST. */
const GET_ENDPOINTS: readonly Endpoint[] = ['getServiceToken', 'serviceTokenAuthorizer', 'listServiceTokens'];

// ---------------------------------------------------------------------------------------------
// Symbolic values

/** Which service token a UUID stands for, resolved against the table at run time. */
export type TokenRef = 'current' | 'grace' | 'old' | 'random-v4' | 'v1' | 'nil';

/** A symbolic body field, resolved at run time. */
export type Ref =
  | { readonly ref: 'token'; readonly which: TokenRef; readonly spelling: number }
  /** The id of a token of that standing (`random-v4`, `v1`, `nil`: an id no token has). */
  | { readonly ref: 'id'; readonly which: TokenRef }
  | { readonly ref: 'password'; readonly which: 'current' | 'wrong' | 'new' }
  | { readonly ref: 'email'; readonly which: 'current' | 'current-shouted' | 'current-padded' | 'unknown' };

const REF = Symbol('ref');
type Field = unknown;
const ref = (value: Ref): Field => ({ [REF]: value });
const refOf = (value: unknown): Ref | undefined =>
  typeof value === 'object' && value !== null && REF in value ? (value as { [REF]: Ref })[REF] : undefined;
const ABSENT = Symbol('absent');

/** How the credential itself is made. */
export type Credential =
  | { readonly kind: 'garbage'; readonly value: string }
  | { readonly kind: 'jwt-like'; readonly parts: [string, string, string] }
  | { readonly kind: 'valid-jwt' }
  | { readonly kind: 'forged'; readonly variant: ForgeVariant }
  | { readonly kind: 'uuid'; readonly which: TokenRef; readonly spelling: number };

export const FORGE_VARIANTS = [
  'correct', 'wrong-iss', 'wrong-aud', 'role-user', 'role-missing', 'cv-stale', 'cv-future', 'cv-string', 'company-other',
  'company-missing', 'sub-other', 'sub-missing', 'expired', 'expired-beyond-tolerance', 'not-yet-valid', 'no-exp', 'no-iat',
  'no-jti', 'alg-HS384', 'alg-HS512', 'alg-none', 'wrong-key', 'tampered-payload', 'tampered-signature', 'too-long',
] as const;
export type ForgeVariant = (typeof FORGE_VARIANTS)[number];

/** The Authorization header: absent, a raw value, `Bearer <cred>` well-formed, or malformed around a credential. */
export type AuthSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'raw'; readonly value: string }
  | { readonly kind: 'bearer'; readonly scheme: string; readonly gap: string; readonly trailing: string; readonly credential: Credential }
  | { readonly kind: 'malformed'; readonly template: number; readonly credential: Credential }
  /** A second Authorization header in another letter case: which one wins is the event's business. */
  | { readonly kind: 'duplicate'; readonly first: Credential; readonly second: string };

const MALFORMED: ((credential: string) => string)[] = [
  (c) => `Basic ${c}`,
  (c) => `Bearer\t${c}`,
  (c) => `Bearer${c}`,
  (c) => ` Bearer ${c}`,
  (c) => `Bearer ${c} extra`,
  (c) => c,
  (c) => `Bearer ${c}\n`,
  (c) => `Bearer: ${c}`,
  (c) => `Token ${c}`,
  (c) => `Bearer ${c},${c}`,
];

export type Body =
  | { readonly kind: 'none'; readonly value: undefined | null | '' }
  | { readonly kind: 'fields'; readonly fields: Record<string, Field> }
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'big'; readonly fields: Record<string, Field> };

export type Encoding = 'plain' | 'base64' | 'base64-garbage' | 'invalid-utf8' | 'bom' | 'object';

export type Step =
  | { readonly kind: 'none' }
  /** Moves the world's clock (grace windows and lock-out windows pass; JWTs are re-issued). */
  | { readonly kind: 'advance'; readonly ms: number }
  /** Deletes the account behind the app's back: a fresh instance (sign-up only). */
  | { readonly kind: 'fresh' };

export interface FuzzCase {
  readonly world: 'main' | 'not-self-hosted';
  readonly step: Step;
  readonly shape: EventShape | 'raw';
  readonly raw?: unknown;
  readonly auth: AuthSpec;
  readonly authName: string;
  readonly contentType: { readonly name: string; readonly value: string } | null;
  readonly body: Body;
  readonly encoding: Encoding;
  readonly extraHeaders: Record<string, string>;
  readonly sourceIp: string;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const weighted = <T>(...entries: [number, fc.Arbitrary<T>][]): fc.Arbitrary<T> =>
  fc.oneof(...entries.map(([weight, arbitrary]) => ({ weight, arbitrary })));

const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme', maxLength: 40 }));
const spelling = fc.integer({ min: 0, max: 5 });
const tokenRef = (weights: Partial<Record<TokenRef, number>> = {}): fc.Arbitrary<TokenRef> =>
  weighted(
    ...(['current', 'grace', 'old', 'random-v4', 'v1', 'nil'] as const).map(
      (which): [number, fc.Arbitrary<TokenRef>] => [weights[which] ?? 1, fc.constant(which)],
    ),
  );

export const credentialArb = (weights: { validJwt: number; uuid: number; tokens?: Partial<Record<TokenRef, number>> }): fc.Arbitrary<Credential> =>
  weighted<Credential>(
    [2, anyString.map((value) => ({ kind: 'garbage', value }))],
    [
      1,
      fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map(([a, b, c]) => ({
        kind: 'jwt-like',
        parts: [a.replace(/=+$/, ''), b.replace(/=+$/, ''), c.replace(/=+$/, '')],
      })),
    ],
    [weights.validJwt, fc.constant({ kind: 'valid-jwt' })],
    [3, fc.constantFrom(...FORGE_VARIANTS).map((variant) => ({ kind: 'forged', variant }))],
    [weights.uuid, fc.record({ kind: fc.constant('uuid' as const), which: tokenRef(weights.tokens), spelling })],
  );

export const authArb = (credential: fc.Arbitrary<Credential>): fc.Arbitrary<AuthSpec> =>
  weighted<AuthSpec>(
    [2, fc.constant({ kind: 'none' })],
    [2, anyString.map((value) => ({ kind: 'raw', value }))],
    [
      12,
      fc.record({
        kind: fc.constant('bearer' as const),
        scheme: fc.constantFrom('Bearer', 'bearer', 'BEARER', 'bEaReR'),
        gap: fc.constantFrom(' ', ' ', ' ', '  ', '   '),
        trailing: fc.constantFrom('', '', '', ' ', '  '),
        credential,
      }),
    ],
    [3, fc.record({ kind: fc.constant('malformed' as const), template: fc.integer({ min: 0, max: MALFORMED.length - 1 }), credential })],
    [1, fc.record({ kind: fc.constant('duplicate' as const), first: credential, second: anyString })],
  );

/** A field that is absent one time in `1 + presentWeight`. */
const field = (arbitrary: fc.Arbitrary<Field>, presentWeight = 12): fc.Arbitrary<Field> =>
  weighted([presentWeight, arbitrary], [1, fc.constant(ABSENT)]);

/** Any JSON value at all: the "wrong type" of a field. */
const wrongType: fc.Arbitrary<Field> = fc.oneof(
  fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

/**
 * An email field. For sign-in every distinct address is a lock-out bucket of its own (five argon2id
 * checks per window), so arbitrary strings are weighted low there.
 */
const emailField = (weights: { current: number; unknown: number; constants: number; anyString: number; wrongType: number }) =>
  weighted<Field>(
    [weights.current, fc.constantFrom('current', 'current-shouted', 'current-padded').map((which) => ref({ ref: 'email', which } as Ref))],
    [weights.unknown, fc.constant(ref({ ref: 'email', which: 'unknown' }))],
    [weights.constants, fc.constantFrom('ops@acme-corp.com', 'x@gmail.com', 'x@mail.yahoo.com', 'not-an-email', 'a@b', '@acme-corp.com', ' ', '', 'a'.repeat(250) + '@x.io')],
    [weights.anyString, anyString],
    [weights.wrongType, wrongType],
  );

const WEAK_PASSWORDS = ['password', 'PASSWORD1!', 'Passw0rd', 'Pa1!', 'Pass w0rd!', `P@ss1${'a'.repeat(130)}`, '', 'pa$$w0rd', 'PA$$W0RD'];
const passwordField = (weights: { current: number; wrong: number; new: number }) =>
  weighted<Field>(
    [weights.current, fc.constant(ref({ ref: 'password', which: 'current' }))],
    [weights.wrong, fc.constant(ref({ ref: 'password', which: 'wrong' }))],
    [weights.new, fc.constant(ref({ ref: 'password', which: 'new' }))],
    [2, fc.constantFrom(...WEAK_PASSWORDS)],
    [1, anyString],
    [1, wrongType],
  );

const tokenField = (weights: Partial<Record<TokenRef, number>>) =>
  weighted<Field>(
    [6, fc.record({ which: tokenRef(weights), spelling }).map(({ which, spelling: s }) => ref({ ref: 'token', which, spelling: s }))],
    [1, fc.constantFrom('not-a-uuid', '', '{}', '00000000-0000-0000-0000-00000000000g', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')],
    [1, anyString],
    [1, wrongType],
  );

const idField = weighted<Field>(
  [8, tokenRef({ current: 2, grace: 4, old: 2 }).map((which) => ref({ ref: 'id', which }))],
  [1, fc.constantFrom('', 'st_', 'ST_AAAAAAAAAAAAAAAA', 'st_aaaaaaaaaaaaaaaa', 'x'.repeat(101), ' st_aaaaaaaaaaaaaaaa')],
  [1, anyString],
  [1, wrongType],
);

const expireAtField = weighted<Field>(
  [4, fc.constantFrom(0, 1, 60, 300, 604_800, '300', '0')],
  [2, fc.constantFrom(604_801, -1, 1.5, ' 300', 'abc', '', 1e21, '0x10', 'Infinity', null, true)],
  [1, fc.integer()],
  [1, wrongType],
);

/** An extra, unknown field now and then: `"x" is not allowed`. */
const extraFields = weighted<Record<string, Field>>(
  [8, fc.constant({})],
  [1, fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), wrongType, { minKeys: 1, maxKeys: 2 })],
);

function fieldsArb(shape: Record<string, fc.Arbitrary<Field>>): fc.Arbitrary<Record<string, Field>> {
  return fc.tuple(fc.record(shape), extraFields).map(([fields, extra]) => {
    const out: Record<string, Field> = { ...extra };
    for (const [name, value] of Object.entries(fields)) if (value !== ABSENT) out[name] = value;
    return out;
  });
}

/** The endpoint's body fields: mostly its own (with wrong values among them), rarely valid throughout. */
export function fieldsFor(endpoint: Endpoint): fc.Arbitrary<Record<string, Field>> {
  switch (endpoint) {
    case 'createAdminAccount':
      return fieldsArb({
        firstName: field(weighted<Field>([6, fc.constantFrom('Ada', 'Grace Hopper', 'Bob')], [1, anyString], [1, wrongType])),
        email: field(emailField({ current: 1, unknown: 2, constants: 2, anyString: 1, wrongType: 1 })),
        password: field(passwordField({ current: 0, wrong: 0, new: 4 })),
        companyName: field(weighted<Field>([6, fc.constantFrom('Acme', ' Initech ', 'Umbrella Corp')], [1, fc.constantFrom('', ' ', 'x'.repeat(101))], [1, wrongType])),
      });
    case 'createAdminJwt':
      return fieldsArb({
        email: field(emailField({ current: 24, unknown: 8, constants: 6, anyString: 1, wrongType: 4 })),
        // The right password rarely: a bucket that sees fewer than one success in five locks, and
        // then costs nothing until its window passes.
        password: field(passwordField({ current: 1, wrong: 10, new: 1 })),
      });
    case 'createServiceToken':
      return fieldsArb({ token: field(tokenField({ 'random-v4': 4, current: 2 })) });
    case 'rotateServiceToken':
      return fieldsArb({ token: field(tokenField({ current: 4 }), 4), expireAt: field(expireAtField) });
    case 'resetAdminPassword':
      return fieldsArb({
        currentPassword: field(passwordField({ current: 3, wrong: 3, new: 1 })),
        password: field(passwordField({ current: 1, wrong: 1, new: 4 })),
      });
    case 'getServiceToken':
    case 'serviceTokenAuthorizer':
      return fieldsArb({ token: field(tokenField({}), 1) });
    case 'listServiceTokens':
      return fieldsArb({});
    case 'revokeServiceToken':
      return fieldsArb({ id: field(idField, 3) });
  }
}

export function bodyArb(endpoint: Endpoint): fc.Arbitrary<Body> {
  const fields = fieldsFor(endpoint);
  return weighted<Body>(
    [12, fields.map((f) => ({ kind: 'fields', fields: f }))],
    [1, fc.constantFrom(undefined, null, '').map((value) => ({ kind: 'none', value }))],
    [2, fc.jsonValue({ maxDepth: 3 }).map((value) => ({ kind: 'json', value }))],
    [
      2,
      fc.oneof(
        anyString,
        fc.json({ maxDepth: 2 }).map((text) => text.slice(0, Math.max(1, text.length - 1))),
        fc.constantFrom('{', '{"token":', '[]', '[{"token":"x"}]', 'null', 'true', '1', '"x"', '{"a":1}{"b":2}', '\u0000', '{"__proto__":{"admin":true}}'),
      ).map((value) => ({ kind: 'text', value })),
    ],
    [1, fields.map((f) => ({ kind: 'big', fields: f }))],
  );
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-16', 'application/json ; x=y'];
const OTHER_TYPES = [
  'text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', 'application/json-seq', '', ' application/json',
  'multipart/form-data; boundary=x', 'application/vnd.api+json', 'application/json\u0000',
];
const typeHeader = fc.constantFrom('content-type', 'Content-Type', 'CONTENT-TYPE');

export const contentTypeArb = weighted<FuzzCase['contentType']>(
  [16, fc.record({ name: typeHeader, value: fc.constantFrom(...JSON_TYPES) })],
  [4, fc.record({ name: typeHeader, value: fc.constantFrom(...OTHER_TYPES) })],
  [1, fc.record({ name: fc.constant('content-type'), value: anyString })],
  [2, fc.constant(null)],
);

export const encodingArb = weighted<Encoding>(
  [10, fc.constant('plain')],
  [3, fc.constant('base64')],
  [1, fc.constantFrom('base64-garbage', 'invalid-utf8', 'bom')],
  [3, fc.constant('object')],
);

const extraHeadersArb = fc.dictionary(
  fc.oneof(fc.constantFrom('user-agent', 'accept', 'x-forwarded-for', 'cookie', 'x-amz-date'), fc.stringMatching(/^x-[a-z]{1,8}$/)),
  anyString,
  { maxKeys: 3 },
);

/** Event shapes API Gateway and `aws lambda invoke` would not send: half-built, wrong types, anything. */
const rawEventArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.record(
    {
      version: fc.constantFrom('2.0', '1.0', 2, null),
      httpMethod: fc.oneof(fc.constantFrom('POST', 'GET'), wrongType),
      headers: fc.oneof(wrongType, fc.dictionary(fc.string({ maxLength: 14 }), fc.oneof(fc.string(), wrongType), { maxKeys: 3 })),
      body: fc.oneof(anyString, wrongType),
      isBase64Encoded: fc.oneof(fc.boolean(), wrongType),
      requestContext: fc.oneof(wrongType, fc.constant({ http: null, identity: 'x' })),
    },
    { requiredKeys: [] },
  ),
);

export interface CaseWeights {
  readonly validJwt: number;
  readonly uuid: number;
  readonly tokens?: Partial<Record<TokenRef, number>>;
  /** Clock moves (1 s … 2 h) per 10,000 cases: grace and lock-out windows pass, JWTs are re-issued. */
  readonly advancePer10k?: number;
  /** Fresh instances (account deleted) per 10,000 cases. */
  readonly freshPer10k?: number;
}

export function caseArb(endpoint: Endpoint, weights: CaseWeights): fc.Arbitrary<FuzzCase> {
  const step = weighted<Step>(
    [10_000 - (weights.advancePer10k ?? 0) - (weights.freshPer10k ?? 0), fc.constant({ kind: 'none' })],
    [weights.advancePer10k ?? 0, fc.integer({ min: 1_000, max: 2 * 3600_000 }).map((ms) => ({ kind: 'advance', ms }))],
    [weights.freshPer10k ?? 0, fc.constant({ kind: 'fresh' })],
  );
  const common = {
    world: weighted<FuzzCase['world']>([24, fc.constant('main')], [1, fc.constant('not-self-hosted')]),
    step,
    auth: authArb(credentialArb(weights)),
    authName: fc.constantFrom('authorization', 'Authorization', 'AUTHORIZATION'),
    contentType: contentTypeArb,
    body: bodyArb(endpoint),
    encoding: encodingArb,
    extraHeaders: extraHeadersArb,
    sourceIp: fc.constantFrom('203.0.113.7', '198.51.100.23'),
  };
  return weighted<FuzzCase>(
    [20, fc.record({ ...common, shape: fc.constantFrom<EventShape>('http-api', 'rest-api', 'direct') })],
    [1, fc.record({ ...common, shape: fc.constant('raw' as const), raw: rawEventArb })],
  );
}

// ---------------------------------------------------------------------------------------------
// Resolution against the world

/** What the test knows about the world besides the table: the secrets it holds. */
export interface Model {
  email: string;
  password: string;
  /** A currently valid admin JWT (re-signed whenever the clock moves or the credentials change). */
  jwt: string;
  /** Every service token ever seen, by digest. */
  readonly tokens: Map<string, string>;
  /** Every password that was ever right, and the JWTs seen: none may appear in a response or log. */
  readonly pastPasswords: Set<string>;
}

export const digestOf = (token: string): string => createHash('sha256').update(token.toLowerCase(), 'utf8').digest('base64url');

/** The service tokens of the table, by standing, as the contract defines it (current; grace until expiresAt). */
export function tokenStandings(items: Record<string, any>[], model: Model, now: number) {
  const account = items.find((item) => item.pk === 'ACCOUNT');
  const set = storedSet(items);
  const current = set?.current ? model.tokens.get(set.current.digest) : undefined;
  const grace = (set?.retired ?? []).filter((t) => (t.expiresAt ?? 0) > now).map((t) => model.tokens.get(t.digest)).filter((t): t is string => !!t);
  const valid = new Set([current, ...grace].filter((t): t is string => !!t));
  const old = [...model.tokens.values()].filter((t) => !valid.has(t));
  return { account, current, grace, old, valid };
}

interface StoredEntry { id: string; digest: string; createdAt: number; expiresAt?: number; lastUsedAt?: number }

/** The token set of the ACCOUNT item as stored. */
export function storedSet(items: Record<string, any>[]): { current?: StoredEntry; retired: StoredEntry[] } | undefined {
  return items.find((item) => item.pk === 'ACCOUNT')?.serviceTokens as { current?: StoredEntry; retired: StoredEntry[] } | undefined;
}

/** The token ids of the table by standing: current, in grace, and tombstones (expired or revoked). */
export function tokenIds(items: Record<string, any>[], now: number): { current: string | undefined; grace: string[]; old: string[]; valid: Set<string> } {
  const set = storedSet(items);
  const grace = (set?.retired ?? []).filter((t) => (t.expiresAt ?? 0) > now).map((t) => t.id);
  const old = (set?.retired ?? []).filter((t) => (t.expiresAt ?? 0) <= now).map((t) => t.id);
  const current = set?.current?.id;
  return { current, grace, old, valid: new Set([...(current ? [current] : []), ...grace]) };
}

/** The canonical spelling of a v1 UUID and of the nil UUID: well-formed, never accepted. */
const V1 = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const NIL = '00000000-0000-0000-0000-000000000000';

export interface Resolved {
  readonly event: unknown;
  /**
   * true: the Authorization header carries a valid admin JWT (`admin`) or a current/grace service
   * token (`token`); false: certainly not; undefined: can't tell (duplicate headers, raw events).
   */
  readonly admin: boolean | undefined;
  readonly token: boolean | undefined;
  /** The bearer is a forged, validly signed JWT naming another company: ACCOUNT_NOT_FOUND is its answer. */
  readonly otherCompany: boolean;
  /** The bearer would be taken for a service token by the rotate route (a UUID spelling). */
  readonly uuidBearer: boolean;
  /** The concrete body fields after resolution (for the oracle of successful answers). */
  readonly fields: Record<string, unknown> | undefined;
  /** Secrets of this case, by kind: none may appear in a response (beyond its credential) or the log. */
  readonly secrets: CaseSecrets;
}

export interface CaseSecrets {
  readonly jwts: string[];
  readonly tokens: string[];
  readonly passwords: string[];
}

interface ResolveContext {
  readonly harness: Harness;
  readonly model: Model;
  readonly items: Record<string, any>[];
  readonly now: number;
}

function pick<T>(list: readonly T[], seed: number): T | undefined {
  return list.length === 0 ? undefined : list[seed % list.length];
}

function resolveToken(which: TokenRef, spellingIndex: number, ctx: ResolveContext): { value: string; valid: boolean; secret: string | undefined } {
  const standings = tokenStandings(ctx.items, ctx.model, ctx.now);
  let token: string | undefined;
  if (which === 'current') token = standings.current;
  else if (which === 'grace') token = pick(standings.grace, spellingIndex);
  else if (which === 'old') token = pick(standings.old, spellingIndex);
  else if (which === 'v1') token = V1;
  else if (which === 'nil') token = NIL;
  token ??= randomUUID();
  const spelled = uuidSpellings(token)[spellingIndex % 6]!;
  return { value: spelled, valid: standings.valid.has(token), secret: which === 'v1' || which === 'nil' ? undefined : token };
}

async function resolveCredential(
  credential: Credential,
  ctx: ResolveContext,
  secrets: CaseSecrets,
): Promise<{ value: string; admin: boolean; token: boolean; otherCompany: boolean; uuid: boolean }> {
  const base = { admin: false, token: false, otherCompany: false, uuid: false };
  switch (credential.kind) {
    case 'garbage':
      return { ...base, value: credential.value };
    case 'jwt-like':
      return { ...base, value: credential.parts.join('.') };
    case 'valid-jwt':
      secrets.jwts.push(ctx.model.jwt);
      return { ...base, value: ctx.model.jwt, admin: true };
    case 'uuid': {
      const { value, valid, secret } = resolveToken(credential.which, credential.spelling, ctx);
      if (secret) secrets.tokens.push(secret);
      return { ...base, value, token: valid, uuid: true };
    }
    case 'forged': {
      const jwt = await forge(credential.variant, ctx);
      secrets.jwts.push(jwt);
      return { ...base, value: jwt, admin: credential.variant === 'correct', otherCompany: credential.variant === 'company-other' };
    }
  }
}

async function forge(variant: ForgeVariant, ctx: ResolveContext): Promise<string> {
  const { harness } = ctx;
  const item = ctx.items.find((i) => i.pk === 'ACCOUNT');
  const account = {
    adminId: (item?.adminId as string | undefined) ?? randomUUID(),
    companyId: (item?.companyId as string | undefined) ?? randomUUID(),
    credentialVersion: (item?.credentialVersion as number | undefined) ?? 1,
  };
  const now = Math.floor(ctx.now / 1000);
  const sign = (claims: Record<string, unknown>, options: Parameters<typeof signAdminJwt>[3] = {}) => signAdminJwt(harness, account, claims, options);
  switch (variant) {
    case 'correct': return sign({});
    case 'wrong-iss': return sign({ iss: 'someone-else' });
    case 'wrong-aud': return sign({ aud: 'another-api' });
    case 'role-user': return sign({ role: 'user' });
    case 'role-missing': return sign({ role: undefined });
    case 'cv-stale': return sign({ cv: account.credentialVersion - 1 });
    case 'cv-future': return sign({ cv: account.credentialVersion + 1 });
    case 'cv-string': return sign({ cv: String(account.credentialVersion) });
    case 'company-other': return sign({ companyId: randomUUID() });
    case 'company-missing': return sign({ companyId: undefined });
    case 'sub-other': return sign({ sub: randomUUID() });
    case 'sub-missing': return sign({ sub: undefined });
    case 'expired': return sign({ iat: now - 7200, exp: now - 3600 });
    case 'expired-beyond-tolerance': return sign({ exp: now - 6 });
    case 'not-yet-valid': return sign({ nbf: now + 3600 });
    case 'no-exp': return sign({ exp: undefined });
    case 'no-iat': return sign({ iat: undefined });
    case 'no-jti': return sign({ jti: undefined });
    case 'alg-HS384': return sign({}, { alg: 'HS384' });
    case 'alg-HS512': return sign({}, { alg: 'HS512' });
    case 'alg-none': {
      const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const valid = await sign({});
      return `${b64({ alg: 'none', typ: 'JWT' })}.${valid.split('.')[1]}.`;
    }
    case 'wrong-key': return sign({}, { key: new Uint8Array(randomBytes(32)) });
    case 'tampered-payload': {
      const [header, , signature] = (await sign({})).split('.');
      const other = (await sign({ cv: account.credentialVersion + 1 })).split('.')[1];
      return `${header}.${other}.${signature}`;
    }
    case 'tampered-signature': {
      const [header, payload, signature] = (await sign({})).split('.');
      // The first character: every bit of it is significant (the last one's low bits are not).
      const flipped = `${signature![0] === 'A' ? 'B' : 'A'}${signature!.slice(1)}`;
      return `${header}.${payload}.${flipped}`;
    }
    case 'too-long': return sign({ pad: 'x'.repeat(2100) });
  }
}

function resolveField(value: Field, ctx: ResolveContext, secrets: CaseSecrets, extra: { newPassword: string; wrongPassword: string; unknownEmail: string }): unknown {
  const r = refOf(value);
  if (!r) return value;
  switch (r.ref) {
    case 'token': {
      const { value: spelled, secret } = resolveToken(r.which, r.spelling, ctx);
      if (secret) secrets.tokens.push(secret);
      return spelled;
    }
    case 'id': {
      const ids = tokenIds(ctx.items, ctx.now);
      const id = r.which === 'current' ? ids.current : r.which === 'grace' ? pick(ids.grace, ctx.now) : r.which === 'old' ? pick(ids.old, ctx.now) : undefined;
      return id ?? `st_${randomBytes(10).toString('hex').slice(0, 16).replace(/[0189]/g, 'a')}`;
    }
    case 'password': {
      const password = r.which === 'current' ? ctx.model.password : r.which === 'wrong' ? extra.wrongPassword : extra.newPassword;
      secrets.passwords.push(password);
      return password;
    }
    case 'email': {
      const { email } = ctx.model;
      if (r.which === 'current') return email;
      if (r.which === 'current-shouted') return email.toUpperCase();
      if (r.which === 'current-padded') return `  ${email} `;
      return extra.unknownEmail;
    }
  }
}

/** Serialises a body as the case says; `undefined` stays absent. */
function serialise(c: FuzzCase, fields: Record<string, unknown> | undefined): { body: unknown; isBase64Encoded: boolean } {
  let value: unknown;
  switch (c.body.kind) {
    case 'none': return { body: c.body.value, isBase64Encoded: false };
    case 'fields': value = fields; break;
    case 'big': value = { ...fields, pad: 'x'.repeat(17_000) }; break;
    case 'json': value = c.body.value; break;
    case 'text': value = undefined; break;
  }
  const text = c.body.kind === 'text' ? c.body.value : JSON.stringify(value);
  switch (c.encoding) {
    case 'object':
      // Only a direct invocation may hand over the body as an object; elsewhere send it as text.
      return c.shape === 'direct' && c.body.kind !== 'text' ? { body: value, isBase64Encoded: false } : { body: text, isBase64Encoded: false };
    case 'plain': return { body: text, isBase64Encoded: false };
    case 'base64': return { body: Buffer.from(text ?? '', 'utf8').toString('base64'), isBase64Encoded: true };
    case 'base64-garbage': return { body: `${text ?? ''}%%%`, isBase64Encoded: true };
    case 'invalid-utf8': return { body: Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]).toString('base64'), isBase64Encoded: true };
    case 'bom': return { body: `\uFEFF${text ?? ''}`, isBase64Encoded: false };
  }
}

export async function resolve(endpoint: Endpoint, c: FuzzCase, ctx: ResolveContext): Promise<Resolved> {
  const secrets: CaseSecrets = { jwts: [], tokens: [], passwords: [] };
  const extra = {
    newPassword: `N3w!${randomBytes(4).toString('hex')}Zz`,
    wrongPassword: `Wr0ng!${randomBytes(4).toString('hex')}`,
    // One unknown address, not a new one per case: each (email, address) pair is a lock-out bucket
    // with five argon2id checks per window.
    unknownEmail: 'nobody@acme-corp.com',
  };
  const fields =
    c.body.kind === 'fields' || c.body.kind === 'big'
      ? Object.fromEntries(Object.entries(c.body.fields).map(([k, v]) => [k, resolveField(v, ctx, secrets, extra)]))
      : undefined;

  if (c.shape === 'raw') {
    return { event: c.raw, admin: undefined, token: undefined, otherCompany: false, uuidBearer: false, fields: undefined, secrets };
  }

  const headers: Record<string, string> = { ...c.extraHeaders };
  let admin: boolean | undefined = false;
  let token: boolean | undefined = false;
  let otherCompany = false;
  let uuidBearer = false;
  const auth = c.auth;
  if (auth.kind === 'raw') {
    headers[c.authName] = auth.value;
  } else if (auth.kind === 'bearer' || auth.kind === 'malformed') {
    const cred = await resolveCredential(auth.credential, ctx, secrets);
    if (auth.kind === 'bearer') {
      headers[c.authName] = `${auth.scheme}${auth.gap}${cred.value}${auth.trailing}`;
      // A garbage credential containing white space is not one credential: certainly refused.
      const single = /^\S+$/.test(cred.value);
      admin = single && cred.admin;
      token = single && cred.token;
      otherCompany = single && cred.otherCompany;
      uuidBearer = single && cred.uuid;
    } else {
      headers[c.authName] = MALFORMED[auth.template]!(cred.value);
    }
  } else if (auth.kind === 'duplicate') {
    const cred = await resolveCredential(auth.first, ctx, secrets);
    headers.Authorization = `Bearer ${cred.value}`;
    headers.authorization = auth.second;
    admin = undefined;
    token = undefined;
    otherCompany = cred.otherCompany;
    uuidBearer = cred.uuid;
  }
  if (c.contentType) headers[c.contentType.name] = c.contentType.value;

  const { body, isBase64Encoded } = serialise(c, fields);
  let event: Record<string, unknown>;
  if (endpoint === 'serviceTokenAuthorizer' && c.shape === 'http-api') {
    event = authorizerEvent(headers);
  } else {
    const method = GET_ENDPOINTS.includes(endpoint) ? 'GET' : 'POST';
    event = eventFor(c.shape, { path: PATH[endpoint], method, headers, body, contentType: null, isBase64Encoded, sourceIp: c.sourceIp });
    if (c.shape === 'direct' && isBase64Encoded) event.isBase64Encoded = true;
  }
  return { event, admin, token, otherCompany, uuidBearer, fields, secrets };
}

// ---------------------------------------------------------------------------------------------
// Hand-written cases that must succeed: run first in every run (fast-check `examples`), so that
// even the quick subset exercises the accepted path of each endpoint.

const ok = (auth: AuthSpec, fields: Record<string, Field>, shape: EventShape = 'http-api', step: Step = { kind: 'none' }): FuzzCase => ({
  world: 'main',
  step,
  shape,
  auth,
  authName: 'Authorization',
  contentType: { name: 'Content-Type', value: 'application/json' },
  body: { kind: 'fields', fields },
  encoding: 'plain',
  extraHeaders: {},
  sourceIp: '192.0.2.99',
});
const bearer = (credential: Credential): AuthSpec => ({ kind: 'bearer', scheme: 'Bearer', gap: ' ', trailing: '', credential });
const none: AuthSpec = { kind: 'none' };

export function validExamples(endpoint: Endpoint): FuzzCase[] {
  const current = { kind: 'uuid', which: 'current', spelling: 0 } as const;
  switch (endpoint) {
    case 'createAdminAccount':
      return [ok(none, { firstName: 'Ada', email: 'ops@acme-corp.com', password: ref({ ref: 'password', which: 'new' }), companyName: 'Acme' }, 'http-api', { kind: 'fresh' })];
    case 'createAdminJwt':
      return [
        ok(none, { email: ref({ ref: 'email', which: 'current' }), password: ref({ ref: 'password', which: 'current' }) }, 'rest-api'),
        ok(none, { email: ref({ ref: 'email', which: 'current-shouted' }), password: ref({ ref: 'password', which: 'wrong' }) }, 'direct'),
      ];
    case 'createServiceToken':
      return [ok(bearer({ kind: 'valid-jwt' }), { token: ref({ ref: 'token', which: 'random-v4', spelling: 3 }) })];
    case 'rotateServiceToken':
      return [
        ok(bearer(current), { expireAt: 300 }, 'direct'),
        ok(bearer({ kind: 'valid-jwt' }), { token: ref({ ref: 'token', which: 'current', spelling: 4 }), expireAt: '60' }),
      ];
    case 'resetAdminPassword':
      return [ok(bearer({ kind: 'valid-jwt' }), { currentPassword: ref({ ref: 'password', which: 'current' }), password: ref({ ref: 'password', which: 'new' }) })];
    case 'getServiceToken':
    case 'serviceTokenAuthorizer':
      return [ok(bearer({ ...current, spelling: 2 }), {})];
    case 'listServiceTokens':
      return [ok(bearer({ kind: 'valid-jwt' }), {}, 'rest-api')];
    case 'revokeServiceToken':
      return [
        ok(bearer({ kind: 'valid-jwt' }), { id: ref({ ref: 'id', which: 'grace' }) }),
        ok(bearer({ ...current, spelling: 1 }), {}, 'direct'),
        ok(bearer({ kind: 'valid-jwt' }), { id: ref({ ref: 'id', which: 'current' }) }, 'rest-api'),
      ];
  }
}

/**
 * Every case that must succeed (validExamples), then, with a body that would be accepted, every
 * forged-JWT variant, every malformed Authorization around a valid credential, and every token
 * standing in every spelling: deterministic, so even the quick subset proves each is refused.
 */
export function examples(endpoint: Endpoint): FuzzCase[] {
  const out = validExamples(endpoint);
  const jwt = bearer({ kind: 'valid-jwt' });
  const password = (which: 'current' | 'wrong' | 'new') => ref({ ref: 'password', which });
  // Refused after authentication, where an answer could be tempted to name what it refused.
  if (endpoint === 'createAdminAccount') {
    out.push(ok(none, { firstName: 'Ada', email: 'ops@acme-corp.com', password: password('new'), companyName: '' }));
    out.push(ok(none, { firstName: 'Ada', email: 'ops@gmail.com', password: password('new'), companyName: 'Acme' }, 'direct'));
  }
  if (endpoint === 'resetAdminPassword') {
    out.push(ok(jwt, { currentPassword: password('wrong'), password: password('new') }, 'rest-api'));
    out.push(ok(jwt, { currentPassword: password('current'), password: password('current') }, 'direct'));
    out.push(ok(jwt, { currentPassword: password('current'), password: 'weak' }));
  }
  if (endpoint === 'revokeServiceToken') {
    // Ids that name no valid token: a tombstone's, one never issued, a token's value instead of its id.
    out.push(ok(jwt, { id: ref({ ref: 'id', which: 'old' }) }, 'direct'));
    out.push(ok(jwt, { id: ref({ ref: 'id', which: 'random-v4' }) }));
    out.push(ok(jwt, { id: ref({ ref: 'token', which: 'current', spelling: 0 }) }, 'rest-api'));
  }
  if (endpoint === 'rotateServiceToken') {
    (['grace', 'old', 'random-v4'] as const).forEach((which, i) => {
      for (let spelling = 0; spelling < 6; spelling++) {
        out.push(ok(jwt, { token: ref({ ref: 'token', which, spelling }), expireAt: 0 }, (['http-api', 'rest-api', 'direct'] as const)[(i + spelling) % 3]));
      }
    });
    out.push(ok(jwt, { token: ref({ ref: 'token', which: 'current', spelling: 1 }), expireAt: 604_801 }));
  }
  const admin = (['createServiceToken', 'resetAdminPassword', 'rotateServiceToken', 'listServiceTokens', 'revokeServiceToken'] as Endpoint[]).includes(endpoint);
  const tokens = (['getServiceToken', 'serviceTokenAuthorizer', 'rotateServiceToken', 'revokeServiceToken'] as Endpoint[]).includes(endpoint);
  if (!admin && !tokens) return out;
  // A body the route would accept, so that only the credential decides. A password reset that
  // would succeed is left out (it would change the credentials mid-list): a wrong current
  // password is refused after authentication, with RESET_PASSWORD_ERROR.
  const body: Record<string, Field> =
    endpoint === 'createServiceToken' ? { token: ref({ ref: 'token', which: 'random-v4', spelling: 0 }) }
      : endpoint === 'resetAdminPassword' ? { currentPassword: ref({ ref: 'password', which: 'wrong' }), password: ref({ ref: 'password', which: 'new' }) }
        : endpoint === 'rotateServiceToken' ? { token: ref({ ref: 'token', which: 'current', spelling: 0 }), expireAt: 0 }
          : endpoint === 'revokeServiceToken' ? { id: ref({ ref: 'id', which: 'grace' }) }
            : {};
  const shapes: EventShape[] = ['http-api', 'rest-api', 'direct'];
  if (admin) {
    FORGE_VARIANTS.filter((variant) => variant !== 'correct').forEach((variant, i) => {
      out.push(ok(bearer({ kind: 'forged', variant }), body, shapes[i % 3]));
    });
    MALFORMED.forEach((_, template) => out.push(ok({ kind: 'malformed', template, credential: { kind: 'valid-jwt' } }, body, shapes[template % 3])));
  }
  if (tokens) {
    const tokenBody = endpoint === 'rotateServiceToken' ? { expireAt: 0 } : endpoint === 'revokeServiceToken' ? {} : body;
    (['grace', 'old', 'random-v4', 'v1', 'nil'] as const).forEach((which, i) => {
      for (let spelling = 0; spelling < 6; spelling++) out.push(ok(bearer({ kind: 'uuid', which, spelling }), tokenBody, shapes[(i + spelling) % 3]));
    });
    MALFORMED.forEach((_, template) => out.push(ok({ kind: 'malformed', template, credential: { kind: 'uuid', which: 'current', spelling: 0 } }, tokenBody, shapes[template % 3])));
  }
  return out;
}
