// Shared pieces of the proof suites (test/integration/proof-*.test.ts): the quick/soak switch,
// output capture, a signed-in "world" to run requests against, and the common response checks.
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ADMIN, ManualClock, PATHS, call, createHarness, header, type Answer, type Harness, type HarnessOptions } from './harness.ts';
import { createToken } from './lifecycle.ts';

/**
 * `SOAK=1`: the long run (`npm run soak`); otherwise the quick, seed-fixed subset of `npm test`.
 * SOAK_SEED replays a soak's seed; SOAK_RUNS overrides its number of cases per property.
 */
export const SOAK = process.env.SOAK === '1' || process.env.SOAK === 'true';

/**
 * fast-check parameters: in the quick subset a fixed seed (reproducible, same cases every run)
 * and `quickRuns` cases; in a soak `soakRuns` cases from a random seed (or SOAK_SEED), which
 * fast-check prints with any counterexample.
 */
export function runs(quickRuns: number, soakRuns = 10_000): { seed: number; numRuns: number } {
  if (!SOAK) return { seed: 20_261_127, numRuns: quickRuns };
  const seed = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : Math.floor(Math.random() * 2 ** 31);
  return { seed, numRuns: process.env.SOAK_RUNS ? Number(process.env.SOAK_RUNS) : soakRuns };
}

/** Jest timeout for a property: generous in a soak. */
export const propertyTimeout = (quickMs: number): number => (SOAK ? 60 * 60_000 : quickMs);

/**
 * Runs `work` with everything the process writes to stdout/stderr, and everything written through
 * the global console, captured (and not printed): all a Lambda would send to its log.
 */
export async function captureOutput<T>(work: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  const sink = (chunk: unknown, ...rest: unknown[]): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const saved = methods.map((name) => console[name]);
  process.stdout.write = sink as typeof process.stdout.write;
  process.stderr.write = sink as typeof process.stderr.write;
  for (const name of methods) {
    console[name] = (...args: unknown[]) => {
      chunks.push(`${args.map((arg) => (typeof arg === 'string' ? arg : safeJson(arg))).join(' ')}\n`);
    };
  }
  try {
    const result = await work();
    return { result, output: chunks.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    methods.forEach((name, i) => { console[name] = saved[i]!; });
  }
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ''}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** A clock a day ahead of real time: DynamoDB Local's TTL sweeper (real clock) never reaps our items. */
export const futureClock = (): ManualClock => new ManualClock(Math.floor(Date.now() / 1000) * 1000 + 24 * 3600_000);

/** A harness with an account, a signed-in admin, and (optionally) a service token. */
export interface World {
  readonly harness: Harness;
  readonly clock: ManualClock;
  email: string;
  password: string;
  /** A currently valid admin JWT. */
  jwt: string;
  /** The current service token, when one was set. */
  token: string | undefined;
}

export interface WorldOptions {
  /** The app's DynamoDB endpoint (a proxy); the table itself is created on the run's engine. */
  readonly endpoint?: string;
  readonly logLevel?: HarnessOptions['logLevel'];
  readonly withToken?: boolean;
  readonly env?: Record<string, string>;
  readonly clock?: ManualClock;
}

export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const clock = options.clock ?? futureClock();
  const harness = await createHarness({
    clock,
    logLevel: options.logLevel ?? 'SILENT',
    env: { ...(options.endpoint ? { DYNAMODB_ENDPOINT: options.endpoint } : {}), ...options.env },
  });
  const world: World = { harness, clock, email: ADMIN.email, password: ADMIN.password, jwt: '', token: undefined };
  const created = await call(harness.handlers.createAdminAccount, 'http-api', { path: PATHS.adminAccount, body: ADMIN });
  if (created.statusCode !== 200) throw new Error(`sign-up failed: ${created.raw}`);
  world.jwt = created.body.data.accessToken as string;
  if (options.withToken ?? true) world.token = await createToken(harness, world.jwt);
  return world;
}

/** An empty harness (no account) whose app talks to `endpoint`. */
export const createEmptyHarness = (endpoint?: string, logLevel: HarnessOptions['logLevel'] = 'SILENT'): Promise<Harness> =>
  createHarness({ clock: futureClock(), logLevel, env: endpoint ? { DYNAMODB_ENDPOINT: endpoint } : {} });

/** Deletes the ACCOUNT item behind the app's back: the instance is "fresh" again. */
export async function deleteAccount(db: DynamoDBDocumentClient, harness: Harness): Promise<void> {
  await db.send(new DeleteCommand({ TableName: harness.tableName, Key: { pk: 'ACCOUNT' } }));
}

/**
 * The common rules for any error answer: exactly `{"error":{"code","message"}}` (two strings),
 * JSON, `no-store`, and a Bearer challenge on 401. Returns a description of what is wrong, or
 * undefined: properties report it instead of throwing inside expect().
 */
export function envelopeProblem(response: Answer): string | undefined {
  if (header(response, 'Content-Type') !== 'application/json') return `Content-Type ${header(response, 'Content-Type')}`;
  if (header(response, 'Cache-Control') !== 'no-store') return `Cache-Control ${header(response, 'Cache-Control')}`;
  if (response.statusCode === 200) return undefined;
  const body = response.body as Record<string, any>;
  const keys = body && typeof body === 'object' ? Object.keys(body) : [];
  const error = body?.error as Record<string, unknown> | undefined;
  if (keys.length !== 1 || keys[0] !== 'error' || !error || typeof error !== 'object') return `not an error envelope: ${response.raw}`;
  const inner = Object.keys(error).sort().join(',');
  if (inner !== 'code,message' || typeof error.code !== 'string' || typeof error.message !== 'string') {
    return `not an error envelope: ${response.raw}`;
  }
  const challenge = header(response, 'WWW-Authenticate');
  if (response.statusCode === 401 && challenge !== 'Bearer') return `401 without WWW-Authenticate: Bearer`;
  if (response.statusCode !== 401 && challenge !== undefined) return `WWW-Authenticate on ${response.statusCode}`;
  return undefined;
}

/** Every spelling of a UUID a client might send: canonical, upper, braced, unhyphenated, mixed. */
export function uuidSpellings(uuid: string): string[] {
  const lower = uuid.toLowerCase();
  const hex = lower.replaceAll('-', '');
  return [lower, lower.toUpperCase(), `{${lower}}`, `{${lower.toUpperCase()}}`, hex, hex.toUpperCase()];
}

/**
 * The secrets to look for in a response or log: each JWT (and its signature, which alone proves
 * nothing but must not leak either), each service token in every spelling, each password, and the
 * signing secret in base64url, base64 and hex. Strings shorter than 8 characters are left out:
 * they would match ordinary words.
 */
export function secretSpellings(input: { jwts?: string[]; tokens?: string[]; passwords?: string[]; signingSecrets?: Uint8Array[] }): string[] {
  const out = new Set<string>();
  for (const jwt of input.jwts ?? []) {
    out.add(jwt);
    const signature = jwt.split('.')[2];
    if (signature) out.add(signature);
  }
  for (const token of input.tokens ?? []) for (const spelling of uuidSpellings(token)) out.add(spelling);
  for (const password of input.passwords ?? []) out.add(password);
  for (const secret of input.signingSecrets ?? []) {
    const bytes = Buffer.from(secret);
    out.add(bytes.toString('base64url'));
    out.add(bytes.toString('base64'));
    out.add(bytes.toString('hex'));
  }
  return [...out].filter((s) => s.length >= 8);
}

/** The first of `secrets` found in `text`, or undefined. */
export const leakedIn = (text: string, secrets: readonly string[]): string | undefined => secrets.find((s) => text.includes(s));
