import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { RequestLogger } from '../../lib/observability/logger.ts';
import { ApiMetrics } from '../../lib/observability/metrics.ts';
import { ensureTable } from '../../scripts/dynamodb.ts';
import { createApp, type App } from '../../lib/wiring/app.ts';
import { KeySetCache, singleKeySet } from '../../lib/admin/signing-key.ts';
import { systemClock, type Clock } from '../../lib/runtime/clock.ts';
import { loadConfig, type Config } from '../../lib/runtime/config.ts';
import type { LambdaHandler } from '../../lib/http/pipeline.lean.ts';
import { engineClient, engineEndpoint } from './engine.ts';
import { handlersFor, type Handlers } from './wiring.ts';

export const engineName = (): string => process.env.DDB_ENGINE ?? 'dynalite';

/** A random (version 4) UUID, canonical: what ids and issued service tokens look like. */
export const V4_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A service token's id: `st_` and 16 characters of lower-case base32 (80 bits). */
export const TOKEN_ID = /^st_[a-z2-7]{16}$/;
/** A stored password: argon2id PHC string at the OWASP parameters, 16-byte salt, 32-byte tag. */
export const PHC_ARGON2ID = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;

/**
 * A clock the test moves by hand. It starts at the real time (whole seconds) by default: DynamoDB
 * Local runs a TTL sweeper on the real clock, so items whose `expiresAt` was computed from a start
 * in the past would vanish mid-test (sign-in attempt records, whose TTL is window end + 60 s).
 */
export class ManualClock implements Clock {
  #now: number;
  constructor(start = Math.floor(Date.now() / 1000) * 1000) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface Harness {
  readonly app: App;
  readonly config: Config;
  readonly tableName: string;
  readonly secret: Uint8Array;
  /** The kid of `secret`, the harness's only signing key. */
  readonly kid: string;
  readonly handlers: Handlers;
  /** Every item in the table, sorted by key: the whole state, to compare before and after. */
  items(): Promise<Record<string, unknown>[]>;
}

export interface HarnessOptions {
  readonly clock?: Clock;
  readonly env?: Record<string, string>;
  /** Silent unless a test captures the log. */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /**
   * false: the app points at a table that does not exist (named `missing-<uuid>`), to provoke an
   * unexpected DynamoDB failure. `items()` then throws.
   */
  readonly createTable?: boolean;
}

/** A fresh table on the run's engine, and the real handlers wired to it. */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const createTable = options.createTable ?? true;
  const tableName = options.env?.TABLE_NAME ?? `${createTable ? 'test' : 'missing'}-${randomUUID()}`;
  if (createTable) await ensureTable(engineEndpoint(), tableName);
  const config = loadConfig({
    DYNAMODB_ENDPOINT: engineEndpoint(),
    JWT_SECRET_FILE: '/not/used/in/tests',
    // The vendor's first-caller-wins claim, as under npm start; test/integration/claim.test.ts sets the others.
    CLAIM_MODE: 'open',
    ...options.env,
    TABLE_NAME: tableName,
  });
  const secret = new Uint8Array(randomBytes(32));
  const kid = 'test-key';
  const logLevel = options.logLevel ?? 'SILENT';
  const clock = options.clock;
  const app = createApp(config, {
    signingKeys: new KeySetCache(async () => singleKeySet(secret, kid), clock ?? systemClock),
    logger: new RequestLogger({ serviceName: 'databrain-admin-api', logLevel }),
    // The authorizer's counts written at the end of each invocation, not batched: tests see them at once.
    metrics: new ApiMetrics({ serviceName: 'databrain-admin-api', silent: logLevel === 'SILENT', batchMs: 0 }),
    ...(clock ? { clock } : {}),
  });
  const db = engineClient();
  return {
    app,
    config,
    tableName,
    secret,
    kid,
    handlers: handlersFor(app),
    async items() {
      const { Items = [] } = await db.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
      return Items.sort((a, b) => String(a.pk).localeCompare(String(b.pk)));
    },
  };
}

export type EventShape = 'http-api' | 'rest-api' | 'direct';
export const EVENT_SHAPES: readonly EventShape[] = ['http-api', 'rest-api', 'direct'];

export interface RequestSpec {
  readonly path: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  readonly body?: unknown;
  /**
   * The Content-Type header sent with a body over HTTP (default `application/json`); null sends none.
   * Direct invocations send none unless `headers` names one.
   */
  readonly contentType?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly sourceIp?: string;
}

const DEFAULT_IP = '203.0.113.10';

function bodyText(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** The event API Gateway (or `aws lambda invoke`) would hand the function for this request. */
export function eventFor(shape: EventShape, spec: RequestSpec): Record<string, unknown> {
  const method = spec.method ?? 'POST';
  const contentType = spec.contentType === undefined ? 'application/json' : spec.contentType;
  const headers = {
    ...(spec.body !== undefined && shape !== 'direct' && contentType !== null ? { 'content-type': contentType } : {}),
    ...spec.headers,
  };
  const requestId = randomUUID();
  if (shape === 'http-api') {
    return {
      version: '2.0',
      routeKey: `${method} ${spec.path}`,
      rawPath: spec.path,
      rawQueryString: '',
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
      requestContext: {
        accountId: '123456789012',
        apiId: 'api',
        domainName: 'api.example.com',
        http: { method, path: spec.path, protocol: 'HTTP/1.1', sourceIp: spec.sourceIp ?? DEFAULT_IP, userAgent: 'jest' },
        requestId,
        routeKey: `${method} ${spec.path}`,
        stage: '$default',
        time: new Date().toISOString(),
        timeEpoch: Date.now(),
      },
      body: bodyText(spec.body),
      isBase64Encoded: spec.isBase64Encoded ?? false,
    };
  }
  if (shape === 'rest-api') {
    return {
      resource: spec.path,
      path: spec.path,
      httpMethod: method,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      queryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      requestContext: {
        accountId: '123456789012',
        apiId: 'api',
        httpMethod: method,
        identity: { sourceIp: spec.sourceIp ?? DEFAULT_IP },
        path: `/prod${spec.path}`,
        requestId,
        resourcePath: spec.path,
        stage: 'prod',
      },
      body: bodyText(spec.body) ?? null,
      isBase64Encoded: spec.isBase64Encoded ?? false,
    };
  }
  return { headers, body: spec.body };
}

export interface Answer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: any;
  /** The body exactly as the function returned it. */
  readonly raw: string;
}

export async function call(handler: LambdaHandler, shape: EventShape, spec: RequestSpec, context?: Context): Promise<Answer> {
  return answer(await handler(eventFor(shape, spec), context));
}

/** Calls a handler with an event built by hand (for shapes `eventFor` does not make). */
export async function invoke(handler: LambdaHandler, event: unknown, context?: Context): Promise<Answer> {
  return answer(await handler(event, context));
}

function answer(result: { statusCode: number; headers: Record<string, string>; body: string }): Answer {
  return { statusCode: result.statusCode, headers: result.headers, body: JSON.parse(result.body), raw: result.body };
}

/** A response header, looked up case-insensitively as HTTP does. */
export function header(response: Pick<Answer, 'headers'>, name: string): string | undefined {
  const entry = Object.entries(response.headers).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return entry?.[1];
}

/**
 * The common rules for every error: exactly `{"error":{"code","message"}}`, JSON, `no-store`,
 * and a Bearer challenge on (and only on) 401.
 */
export function expectError(response: Answer, status: number, code: string, message: string): void {
  expect({ status: response.statusCode, body: response.body }).toStrictEqual({ status, body: { error: { code, message } } });
  expect(header(response, 'Content-Type')).toBe('application/json');
  expect(header(response, 'Cache-Control')).toBe('no-store');
  if (status === 401) expect(header(response, 'WWW-Authenticate')).toBe('Bearer');
  else expect(header(response, 'WWW-Authenticate')).toBeUndefined();
}

/** A 200 carrying a credential: JSON and `no-store`. */
export function expectCredential(response: Answer): void {
  expect(response.statusCode).toBe(200);
  expect(header(response, 'Content-Type')).toBe('application/json');
  expect(header(response, 'Cache-Control')).toBe('no-store');
}

export { lambdaContext } from './wiring.ts';

export const PATHS = {
  adminAccount: '/api/v2/admin-account',
  adminJwt: '/api/v2/admin-account/jwt',
  serviceToken: '/api/v2/service-token',
} as const;

/** The core path's handlers, and the route each answers. */
export type CoreEndpoint = 'createAdminAccount' | 'createAdminJwt' | 'createServiceToken';
export const CORE_PATHS: Readonly<Record<CoreEndpoint, string>> = {
  createAdminAccount: PATHS.adminAccount,
  createAdminJwt: PATHS.adminJwt,
  createServiceToken: PATHS.serviceToken,
};

/** Creates the account (ADMIN unless told otherwise) over HTTP API and returns its access token. */
export async function signUp(harness: Harness, body: Record<string, unknown> = ADMIN): Promise<string> {
  const response = await call(harness.handlers.createAdminAccount, 'http-api', { path: PATHS.adminAccount, body });
  if (response.statusCode !== 200) throw new Error(`sign-up failed: ${response.raw}`);
  return response.body.data.accessToken as string;
}

/** `Authorization: Bearer <jwt>`. */
export const bearer = (jwt: string): Record<string, string> => ({ authorization: `Bearer ${jwt}` });

/** What the table must hold for a service token: base64url SHA-256 of its canonical spelling. */
export const sha256Base64url = (text: string): string => createHash('sha256').update(text, 'utf8').digest('base64url');

/** The JSON payload of a compact JWT, unverified. */
export function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The JSON protected header of a compact JWT, unverified. */
export function jwtHeader(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

export const ADMIN = {
  firstName: 'Ada',
  email: 'ada@acme-corp.com',
  password: 'Str0ng!Passw0rd',
  companyName: 'Acme',
} as const;

/** The company's service-token set as the table holds it (digests only), wherever the store keeps it. */
export interface StoredTokenSet {
  readonly companyId: unknown;
  readonly current: unknown;
  readonly retired: unknown;
  readonly revision: unknown;
}

/**
 * The token set in `items()`: the `serviceTokens`/`tokenRevision` attributes of the ACCOUNT item
 * (or, in the earlier layout, a SERVICE_TOKENS item). Undefined when no token was ever set.
 */
export function tokenSetIn(items: readonly Record<string, any>[]): StoredTokenSet | undefined {
  const own = items.find((item) => item.pk === 'SERVICE_TOKENS');
  if (own) return { companyId: own.companyId, current: own.current, retired: own.retired, revision: own.revision };
  const account = items.find((item) => item.pk === 'ACCOUNT');
  if (!account?.serviceTokens) return undefined;
  return {
    companyId: account.companyId,
    current: account.serviceTokens.current,
    retired: account.serviceTokens.retired,
    revision: account.tokenRevision,
  };
}
