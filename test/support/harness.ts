import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { ensureTable } from '../../scripts/dynamodb.ts';
import { createApp, type App } from '../../lib/app.ts';
import type { Clock } from '../../lib/clock.ts';
import { loadConfig, type Config } from '../../lib/config.ts';
import { adminHandler, publicHandler, type LambdaHandler } from '../../lib/lambda.ts';
import { operation as createAdminAccount } from '../../handlers/createAdminAccount.ts';
import { operation as createAdminJwt } from '../../handlers/createAdminJwt.ts';
import { operation as createServiceToken } from '../../handlers/createServiceToken.ts';

export const engineName = (): string => process.env.DDB_ENGINE ?? 'dynalite';

function endpoint(): string {
  const value = process.env.DDB_ENDPOINT;
  if (!value) throw new Error('DDB_ENDPOINT is not set: run the integration project through jest (globalSetup)');
  return value;
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start = Date.UTC(2026, 10, 27, 12, 0, 0)) {
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
  readonly handlers: {
    createAdminAccount: LambdaHandler;
    createAdminJwt: LambdaHandler;
    createServiceToken: LambdaHandler;
  };
  /** Every item in the table, sorted by key: the whole state, to compare before and after. */
  items(): Promise<Record<string, unknown>[]>;
}

export interface HarnessOptions {
  readonly clock?: Clock;
  readonly env?: Record<string, string>;
  /** Silent unless a test captures the log. */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'SILENT';
}

/** A fresh table on the run's engine, and the real handlers wired to it. */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const tableName = `test-${randomUUID()}`;
  await ensureTable(endpoint(), tableName);
  const config = loadConfig({
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint(),
    JWT_SECRET_FILE: '/not/used/in/tests',
    ...options.env,
  });
  const secret = new Uint8Array(randomBytes(32));
  const app = createApp(config, {
    signingKey: async () => secret,
    logger: new Logger({ serviceName: 'databrain-admin-api', logLevel: options.logLevel ?? 'SILENT' }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: endpoint(), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  return {
    app,
    config,
    tableName,
    secret,
    handlers: {
      createAdminAccount: publicHandler(createAdminAccount, app),
      createAdminJwt: publicHandler(createAdminJwt, app),
      createServiceToken: adminHandler(createServiceToken, app),
    },
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
  const headers = {
    ...(spec.body !== undefined && shape !== 'direct' ? { 'content-type': 'application/json' } : {}),
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
}

export async function call(handler: LambdaHandler, shape: EventShape, spec: RequestSpec): Promise<Answer> {
  const result = await handler(eventFor(shape, spec));
  return { statusCode: result.statusCode, headers: result.headers, body: JSON.parse(result.body) };
}

export const ADMIN = {
  firstName: 'Ada',
  email: 'ada@acme-corp.com',
  password: 'Str0ng!Passw0rd',
  companyName: 'Acme',
} as const;
