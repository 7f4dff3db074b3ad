// A small in-process Secrets Manager for tests: an HTTP server on 127.0.0.1 (a free port) that
// speaks the service's JSON 1.1 protocol, so the real @aws-sdk/client-secrets-manager talks to it
// (endpoint override, or AWS_ENDPOINT_URL_SECRETS_MANAGER) exactly as it talks to AWS: POST /,
// `X-Amz-Target: secretsmanager.<Operation>`, JSON bodies, errors as
// `{"__type": "<ErrorType>", "message": …}` (status 400, 500 for InternalServiceError) so the SDK
// raises the exception class of that name.
//
// Operations: CreateSecret, GetSecretValue, PutSecretValue, DescribeSecret,
// UpdateSecretVersionStage, RotateSecret, GetRandomPassword. Version stages follow AWS's API
// reference: a stage is on at most one version of a secret; attaching it elsewhere moves it; whenever
// AWSCURRENT moves, AWSPREVIOUS moves to the version it left; the first version of a secret gets
// AWSCURRENT; PutSecretValue without VersionStages moves AWSCURRENT to the new version; a version
// whose last stage is removed is "deprecated": kept (still readable by VersionId), but absent from
// DescribeSecret's VersionIdsToStages. PutSecretValue is idempotent per ClientRequestToken (=
// VersionId): the same token with the same value is ignored, with another value it fails with
// ResourceExistsException. RotateSecret records the rotation settings and, as AWS does before it
// invokes the rotation function, creates the new version (VersionId = its ClientRequestToken) with
// AWSPENDING and no value; it invokes nothing: the test drives the rotation function's steps itself.
// DescribeSecret reports LastRotatedDate once AWSCURRENT has moved onto that version.
//
// Limits (what differs from AWS; tests must not rely on these):
// - no authentication: SigV4 signatures, credentials, IAM and resource policies are not checked;
//   one account (123456789012 by default) and one region (us-east-1 by default);
// - other operations (UpdateSecret, DeleteSecret, ListSecrets, ListSecretVersionIds,
//   CancelRotateSecret, tags, replication, BatchGetSecretValue) answer UnknownOperationException;
// - no KMS (values are stored as sent; KmsKeyId is only echoed), no scheduled deletion, no version
//   quota: deprecated versions are never cleaned up (AWS removes them beyond 100 versions, after
//   24 hours), no rate limits, no automatic rotation schedule, NextRotationDate and
//   LastAccessedDate are not reported;
// - error types are AWS's; messages are close to AWS's but not guaranteed word for word (assert
//   on the type); where the API reference is silent (removing AWSCURRENT without moving it,
//   unknown version ids in UpdateSecretVersionStage) the engine refuses with
//   InvalidParameterException;
// - field length limits are checked only for ClientRequestToken, names and VersionStages.
//
// Fault injection (`inject`, `failNext`) answers an error, resets the connection, hangs, delays, or
// applies the call and then loses its response, so suites can test failed and retried steps.
// Remember that the SDK retries 5xx errors, ThrottlingException and lost connections by itself
// (maxAttempts, default 3): a single injected InternalServiceError is invisible to the caller.
//
// Standalone: `npm exec -- node test/support/secrets-manager.ts` prints the endpoint and serves
// until interrupted (SECRETS_MANAGER_PORT picks the port; default: a free one).
import { randomInt, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

export const OPERATIONS = [
  'CreateSecret',
  'GetSecretValue',
  'PutSecretValue',
  'DescribeSecret',
  'UpdateSecretVersionStage',
  'RotateSecret',
  'GetRandomPassword',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** What an injected fault does to a request. */
export type Fault =
  /** Answer this AWS error without applying the call (status 500 for InternalServiceError, else 400). */
  | { readonly kind: 'error'; readonly type: string; readonly message?: string; readonly status?: number }
  /** Reset the connection without applying the call. */
  | { readonly kind: 'reset' }
  /** Never answer and never apply (the client's timeout decides); released by stop(). */
  | { readonly kind: 'hang' }
  /** Wait `ms`, then apply and answer; not applied if the client gave up meanwhile. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Apply the call, then reset the connection: the caller cannot know it succeeded. */
  | { readonly kind: 'lose-response' };

export interface FaultOptions {
  /** How many matching requests the fault hits (default 1). */
  readonly times?: number;
  /** Only requests whose JSON input this accepts (default: all of the operation). */
  readonly match?: (input: Record<string, any>) => boolean;
}

/** One request the engine received. The secret value (SecretString, SecretBinary) is left out. */
export interface Call {
  readonly operation: string;
  readonly input: Record<string, any>;
  /** The injected fault's kind, if one hit this request. */
  readonly fault?: Fault['kind'];
  /** The AWS error type the request was answered with, if any. */
  readonly error?: string;
}

export interface VersionState {
  readonly versionId: string;
  readonly stages: string[];
  readonly secretString?: string;
  /** Base64, as on the wire. */
  readonly secretBinary?: string;
  readonly createdDate: Date;
}

export interface SecretState {
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  /** In creation order, deprecated versions (no stage) included. */
  readonly versions: VersionState[];
  readonly rotation?: {
    readonly enabled: boolean;
    readonly lambdaArn: string;
    readonly rules?: Record<string, any>;
    readonly lastRotatedDate?: Date;
  };
}

export interface SecretsManagerEngine {
  /** `http://127.0.0.1:<port>`: give it to the SDK as `endpoint` or AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** Creates a secret directly (as CreateSecret would); returns its ARN and first version id. */
  create(name: string, secretString?: string): { arn: string; versionId?: string };
  /** A copy of a secret's state, by name or ARN; undefined if there is none. */
  secret(id: string): SecretState | undefined;
  /** Every version's stages by VersionId, deprecated versions included (as `[]`). */
  stages(id: string): Record<string, string[]>;
  /** The SecretString of the version holding `stage` (default AWSCURRENT), if any. */
  valueAt(id: string, stage?: string): string | undefined;
  /** Adds a fault for `operation` ('*': any operation). Faults hit requests in the order added. */
  inject(operation: Operation | '*', fault: Fault, options?: FaultOptions): void;
  /** Shorthand: the next request of `operation` is answered with this error (not applied). */
  failNext(operation: Operation | '*', type?: string, message?: string): void;
  /** Faults not used up yet. */
  readonly pendingFaults: number;
  clearFaults(): void;
  /** Every request received since start (or the last reset/clearCalls), in order. */
  readonly calls: readonly Call[];
  clearCalls(): void;
  /** TCP connections accepted since start: a client that keeps its connection alive opens one. */
  readonly connections: number;
  /** Forgets all secrets, faults and calls. */
  reset(): void;
  stop(): Promise<void>;
}

export interface EngineOptions {
  readonly port?: number;
  readonly region?: string;
  readonly accountId?: string;
  /** Milliseconds since the epoch, for CreatedDate and friends (default Date.now). */
  readonly clock?: () => number;
}

/** A client of `engine` with dummy credentials; `config` overrides (e.g. maxAttempts). */
export function secretsManagerClient(
  engine: Pick<SecretsManagerEngine, 'endpoint' | 'region'>,
  config: SecretsManagerClientConfig = {},
): SecretsManagerClient {
  return new SecretsManagerClient({
    region: engine.region,
    endpoint: engine.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...config,
  });
}

/** The variables pointSdkAt sets or clears. */
const SDK_ENVIRONMENT = ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;

/**
 * Points the Secrets Manager clients that code under test makes as it ships (no endpoint setting)
 * at `engine`, through what the Lambda environment holds in AWS: AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * credentials (dummy ones) and the region; no session token or profile, so real credentials on the
 * machine stay out. Returns what puts these variables back as they were.
 */
export function pointSdkAt(engine: Pick<SecretsManagerEngine, 'endpoint' | 'region'>): () => void {
  const saved = SDK_ENVIRONMENT.map((name) => [name, process.env[name]] as const);
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = engine.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = engine.region;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

class AwsError extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

const notFound = () => new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);
const invalidRequest = (message: string) => new AwsError('InvalidRequestException', message);
const validation = (message: string) => new AwsError('ValidationException', message);

interface Version {
  readonly id: string;
  stages: string[];
  value?: { readonly string?: string; readonly binary?: string };
  readonly created: number;
}

interface Secret {
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  readonly tags?: unknown[];
  readonly versions: Map<string, Version>;
  readonly created: number;
  lastChanged: number;
  rotation?: { enabled: boolean; lambdaArn: string; rules?: Record<string, any>; lastRotated?: number; token?: string };
}

const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
// GetRandomPassword's punctuation, as its API reference lists it.
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

const seconds = (ms: number) => ms / 1000;

function checkToken(token: unknown): string {
  if (typeof token !== 'string') {
    throw invalidRequest('You must provide a ClientRequestToken value. We recommend a UUID-type value.');
  }
  if (token.length < 32 || token.length > 64) {
    throw validation(`1 validation error detected: Value '${token}' at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64`);
  }
  return token;
}

function checkStage(stage: unknown, field: string): string {
  if (typeof stage !== 'string' || stage.length < 1 || stage.length > 256) {
    throw validation(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length between 1 and 256`);
  }
  return stage;
}

function required(input: Record<string, any>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') {
    const wire = field[0]!.toLowerCase() + field.slice(1);
    throw validation(`1 validation error detected: Value null at '${wire}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

/** A secret value from a request: exactly one of SecretString and SecretBinary. */
function valueOf(input: Record<string, any>): { string?: string; binary?: string } | undefined {
  const string = input.SecretString as string | undefined;
  const binary = input.SecretBinary as string | undefined;
  if (string !== undefined && binary !== undefined) {
    throw invalidParameter('You can\'t specify both SecretString and SecretBinary.');
  }
  if (string !== undefined) return { string };
  if (binary !== undefined) return { binary };
  return undefined;
}

function randomPassword(input: Record<string, any>): string {
  const length = input.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw validation(`1 validation error detected: Value '${length}' at 'passwordLength' failed to satisfy constraint: Member must have value between 1 and 4096`);
  }
  const excluded = new Set<string>(String(input.ExcludeCharacters ?? ''));
  const keep = (chars: string) => [...chars].filter((c) => !excluded.has(c)).join('');
  const types = [
    input.ExcludeLowercase ? '' : keep(LOWER),
    input.ExcludeUppercase ? '' : keep(UPPER),
    input.ExcludeNumbers ? '' : keep(DIGITS),
    input.ExcludePunctuation ? '' : keep(PUNCTUATION),
  ].filter((chars) => chars !== '');
  const all = types.join('') + (input.IncludeSpace && !excluded.has(' ') ? ' ' : '');
  if (all === '') throw invalidParameter('The password can\'t be generated: every character type is excluded.');
  const requireEach = input.RequireEachIncludedType ?? true;
  if (requireEach && length < types.length) {
    throw invalidParameter('Password length is too short based on the required types.');
  }
  const pick = (chars: string) => chars[randomInt(chars.length)]!;
  const chars = requireEach ? types.map(pick) : [];
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/** Starts an engine on 127.0.0.1 (a free port unless `options.port`). */
export async function startSecretsManager(options: EngineOptions = {}): Promise<SecretsManagerEngine> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const now = options.clock ?? Date.now;
  const secrets = new Map<string, Secret>(); // by name
  let faults: { operation: string; fault: Fault; remaining: number; match?: (input: Record<string, any>) => boolean }[] = [];
  let calls: Call[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const timers = new Set<NodeJS.Timeout>();

  const find = (id: string): Secret => {
    if (!id.startsWith('arn:')) {
      const secret = secrets.get(id);
      if (secret) return secret;
      throw notFound();
    }
    for (const secret of secrets.values()) {
      // A complete ARN, or a partial one: without the '-' and six random characters AWS appends.
      if (secret.arn === id || secret.arn.slice(0, -7) === id) return secret;
    }
    throw notFound();
  };

  const holder = (secret: Secret, stage: string): Version | undefined =>
    [...secret.versions.values()].find((version) => version.stages.includes(stage));

  const detach = (secret: Secret, stage: string) => {
    for (const version of secret.versions.values()) version.stages = version.stages.filter((s) => s !== stage);
  };

  /** Puts `stage` on `version` alone; moving AWSCURRENT takes AWSPREVIOUS to the version it left. */
  const attach = (secret: Secret, version: Version, stage: string) => {
    const previous = holder(secret, stage);
    if (previous === version) return;
    detach(secret, stage);
    version.stages.push(stage);
    if (stage !== AWSCURRENT) return;
    if (previous) {
      detach(secret, AWSPREVIOUS);
      previous.stages.push(AWSPREVIOUS);
    }
    if (secret.rotation?.token === version.id) secret.rotation.lastRotated = now();
  };

  const createSecret = (input: Record<string, any>) => {
    const name = required(input, 'Name');
    if (!NAME.test(name)) {
      throw validation('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    }
    if (secrets.has(name)) throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    const value = valueOf(input);
    const token = value ? checkToken(input.ClientRequestToken ?? randomUUID()) : undefined;
    const suffix = Array.from({ length: 6 }, () => SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]).join('');
    const created = now();
    const secret: Secret = {
      arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`,
      name,
      description: input.Description,
      kmsKeyId: input.KmsKeyId,
      tags: input.Tags,
      versions: new Map(),
      created,
      lastChanged: created,
    };
    if (value && token) secret.versions.set(token, { id: token, stages: [AWSCURRENT], value, created });
    secrets.set(name, secret);
    return { ARN: secret.arn, Name: name, ...(token && { VersionId: token }) };
  };

  const getSecretValue = (input: Record<string, any>) => {
    const secret = find(required(input, 'SecretId'));
    const versionId = input.VersionId as string | undefined;
    const stage = input.VersionStage as string | undefined;
    let version: Version | undefined;
    if (versionId !== undefined) {
      version = secret.versions.get(versionId);
      if (!version) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
      if (stage !== undefined && !version.stages.includes(stage)) {
        throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
      }
      if (!version.value) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
    } else {
      const wanted = stage ?? AWSCURRENT;
      version = holder(secret, wanted);
      if (!version?.value) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${wanted}`);
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.id,
      ...(version.value.string !== undefined && { SecretString: version.value.string }),
      ...(version.value.binary !== undefined && { SecretBinary: version.value.binary }),
      VersionStages: [...version.stages],
      CreatedDate: seconds(version.created),
    };
  };

  const putSecretValue = (input: Record<string, any>) => {
    const secret = find(required(input, 'SecretId'));
    const token = checkToken(input.ClientRequestToken);
    const value = valueOf(input);
    if (!value) throw invalidRequest('You must provide either SecretString or SecretBinary.');
    const requested = input.VersionStages as unknown[] | undefined;
    if (requested !== undefined && (!Array.isArray(requested) || requested.length < 1 || requested.length > 20)) {
      throw validation('1 validation error detected: Value at \'versionStages\' failed to satisfy constraint: Member must have length between 1 and 20');
    }
    const stages = (requested ?? [AWSCURRENT]).map((stage) => checkStage(stage, 'versionStages'));
    const answer = (version: Version) => ({ ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] });

    let version = secret.versions.get(token);
    if (version?.value) {
      // The token is the version's id: a retry with the same value is ignored, another value refused.
      if (version.value.string === value.string && version.value.binary === value.binary) return answer(version);
      throw new AwsError('ResourceExistsException', 'You can\'t modify an existing version, you can only create a new version.');
    }
    const first = secret.versions.size === 0;
    if (version) {
      // The version RotateSecret created (AWSPENDING, no value yet): the rotation function fills it.
      version.value = value;
    } else {
      version = { id: token, stages: [], value, created: now() };
      secret.versions.set(token, version);
    }
    if (first && !stages.includes(AWSCURRENT)) stages.push(AWSCURRENT);
    for (const stage of stages) attach(secret, version, stage);
    secret.lastChanged = now();
    return answer(version);
  };

  const describeSecret = (input: Record<string, any>) => {
    const secret = find(required(input, 'SecretId'));
    const versionIdsToStages: Record<string, string[]> = {};
    for (const version of secret.versions.values()) {
      if (version.stages.length > 0) versionIdsToStages[version.id] = [...version.stages];
    }
    const rotation = secret.rotation;
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description !== undefined && { Description: secret.description }),
      ...(secret.kmsKeyId !== undefined && { KmsKeyId: secret.kmsKeyId }),
      // Like AWS, rotation fields appear once rotation has been configured.
      ...(rotation && {
        RotationEnabled: rotation.enabled,
        RotationLambdaARN: rotation.lambdaArn,
        ...(rotation.rules && { RotationRules: rotation.rules }),
        ...(rotation.lastRotated !== undefined && { LastRotatedDate: seconds(rotation.lastRotated) }),
      }),
      LastChangedDate: seconds(secret.lastChanged),
      ...(secret.tags !== undefined && { Tags: secret.tags }),
      VersionIdsToStages: versionIdsToStages,
      CreatedDate: seconds(secret.created),
    };
  };

  const updateSecretVersionStage = (input: Record<string, any>) => {
    const secret = find(required(input, 'SecretId'));
    const stage = checkStage(input.VersionStage, 'versionStage');
    const removeFrom = input.RemoveFromVersionId as string | undefined;
    const moveTo = input.MoveToVersionId as string | undefined;
    if (removeFrom === undefined && moveTo === undefined) {
      throw invalidParameter('You must specify MoveToVersionId, RemoveFromVersionId, or both.');
    }
    for (const id of [removeFrom, moveTo]) {
      if (id !== undefined && !secret.versions.has(id)) throw invalidParameter(`Not a valid version: ${id}`);
    }
    const current = holder(secret, stage);
    if (removeFrom !== undefined && current?.id !== removeFrom) {
      throw invalidParameter(`The parameter RemoveFromVersionId doesn't match: staging label ${stage} is ${current ? `attached to version ${current.id}` : 'not attached to any version'}.`);
    }
    if (moveTo !== undefined && current && current.id !== moveTo && removeFrom === undefined) {
      throw invalidParameter(`The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${current.id}, so you must explicitly reference that version in RemoveFromVersionId.`);
    }
    if (stage === AWSCURRENT && moveTo === undefined) {
      throw invalidParameter('You can\'t remove the staging label AWSCURRENT from a version without moving it to another version (MoveToVersionId).');
    }
    if (moveTo !== undefined) attach(secret, secret.versions.get(moveTo)!, stage);
    else detach(secret, stage);
    secret.lastChanged = now();
    return { ARN: secret.arn, Name: secret.name };
  };

  const rotateSecret = (input: Record<string, any>) => {
    const secret = find(required(input, 'SecretId'));
    const token = checkToken(input.ClientRequestToken);
    const lambdaArn = (input.RotationLambdaARN as string | undefined) ?? secret.rotation?.lambdaArn;
    if (!lambdaArn) {
      throw invalidRequest('You tried to enable rotation on a secret that doesn\'t already have a Lambda function ARN configured and you didn\'t include such an ARN as a parameter in this call.');
    }
    const rules = (input.RotationRules as Record<string, any> | undefined) ?? secret.rotation?.rules;
    const days = rules?.AutomaticallyAfterDays;
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 1000)) {
      throw invalidParameter('RotationRules.AutomaticallyAfterDays must be within 1-1000.');
    }
    const pending = holder(secret, AWSPENDING);
    // AWSPENDING on a version other than AWSCURRENT's: a rotation has not finished.
    if (pending && !pending.stages.includes(AWSCURRENT) && pending.id !== token) {
      throw invalidRequest('A previous rotation isn\'t complete. That rotation will be reattempted.');
    }
    secret.rotation = { ...secret.rotation, enabled: true, lambdaArn, ...(rules && { rules }) };
    if (input.RotateImmediately === false) return { ARN: secret.arn, Name: secret.name };
    if (!holder(secret, AWSCURRENT)) throw invalidRequest('The secret has no version with the staging label AWSCURRENT to rotate.');
    if (!secret.versions.has(token)) {
      const version: Version = { id: token, stages: [], created: now() };
      secret.versions.set(token, version);
      attach(secret, version, AWSPENDING);
    } else if (pending?.id !== token) {
      throw new AwsError('ResourceExistsException', 'A resource with the ID you requested already exists.');
    }
    secret.rotation.token = token;
    secret.lastChanged = now();
    return { ARN: secret.arn, Name: secret.name, VersionId: token };
  };

  const handlers: Record<Operation, (input: Record<string, any>) => object> = {
    CreateSecret: createSecret,
    GetSecretValue: getSecretValue,
    PutSecretValue: putSecretValue,
    DescribeSecret: describeSecret,
    UpdateSecretVersionStage: updateSecretVersionStage,
    RotateSecret: rotateSecret,
    GetRandomPassword: (input) => ({ RandomPassword: randomPassword(input) }),
  };

  const send = (res: ServerResponse, status: number, body: object) => {
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': String(Buffer.byteLength(text)),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(text);
  };

  const takeFault = (operation: string, input: Record<string, any>): Fault | undefined => {
    const entry = faults.find((f) => (f.operation === '*' || f.operation === operation) && (f.match?.(input) ?? true));
    if (!entry) return undefined;
    entry.remaining--;
    if (entry.remaining <= 0) faults = faults.filter((f) => f !== entry);
    return entry.fault;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : target;
    let input: Record<string, any>;
    try {
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as Record<string, any>;
    } catch {
      calls.push({ operation, input: {}, error: 'SerializationException' });
      send(res, 400, { __type: 'SerializationException', message: 'The request body is not a JSON object.' });
      return;
    }
    const { SecretString: _string, SecretBinary: _binary, ...logged } = input;
    const record = (entry: Omit<Call, 'operation' | 'input'>) => calls.push({ operation, input: logged, ...entry });
    const handler = req.method === 'POST' ? handlers[operation as Operation] : undefined;
    if (!handler || !Object.hasOwn(handlers, operation)) {
      record({ error: 'UnknownOperationException' });
      send(res, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${target || '(no X-Amz-Target)'}` });
      return;
    }

    const fault = takeFault(operation, input);
    switch (fault?.kind) {
      case 'error':
        record({ fault: 'error', error: fault.type });
        send(res, fault.status ?? (fault.type === 'InternalServiceError' ? 500 : 400), {
          __type: fault.type,
          message: fault.message ?? 'An error occurred on the server side.',
        });
        return;
      case 'reset':
        record({ fault: 'reset' });
        req.socket.destroy();
        return;
      case 'hang':
        record({ fault: 'hang' });
        return;
      case 'delay': {
        let gone = false;
        res.on('close', () => { gone = true; });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => { timers.delete(timer); resolve(); }, fault.ms);
          timers.add(timer);
        });
        if (gone || res.destroyed) {
          record({ fault: 'delay', error: 'client gone: not applied' });
          return;
        }
        break;
      }
      default:
        break;
    }

    let status = 200;
    let body: object;
    try {
      body = handler(input);
      record(fault ? { fault: fault.kind } : {});
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      status = error.status;
      body = { __type: error.type, message: error.message };
      record({ ...(fault && { fault: fault.kind }), error: error.type });
    }
    if (fault?.kind === 'lose-response') {
      req.socket.destroy();
      return;
    }
    send(res, status, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      send(res, 500, { __type: 'InternalServiceError', message: 'An error occurred on the server side.' });
    });
  });
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const state = (secret: Secret): SecretState => ({
    arn: secret.arn,
    name: secret.name,
    ...(secret.description !== undefined && { description: secret.description }),
    versions: [...secret.versions.values()].map((version) => ({
      versionId: version.id,
      stages: [...version.stages],
      ...(version.value?.string !== undefined && { secretString: version.value.string }),
      ...(version.value?.binary !== undefined && { secretBinary: version.value.binary }),
      createdDate: new Date(version.created),
    })),
    ...(secret.rotation && {
      rotation: {
        enabled: secret.rotation.enabled,
        lambdaArn: secret.rotation.lambdaArn,
        ...(secret.rotation.rules && { rules: structuredClone(secret.rotation.rules) }),
        ...(secret.rotation.lastRotated !== undefined && { lastRotatedDate: new Date(secret.rotation.lastRotated) }),
      },
    }),
  });

  const inject = (operation: Operation | '*', fault: Fault, { times = 1, match }: FaultOptions = {}) => {
    faults.push({ operation, fault, remaining: times, ...(match && { match }) });
  };

  const lookup = (id: string): Secret | undefined => {
    try {
      return find(id);
    } catch {
      return undefined;
    }
  };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    accountId,
    create(name, secretString) {
      const created = createSecret({ Name: name, ...(secretString !== undefined && { SecretString: secretString }) });
      return { arn: created.ARN, ...(created.VersionId && { versionId: created.VersionId }) };
    },
    secret(id) {
      const secret = lookup(id);
      return secret && state(secret);
    },
    stages(id) {
      const secret = lookup(id);
      if (!secret) throw new Error(`no secret ${id}`);
      return Object.fromEntries([...secret.versions.values()].map((version) => [version.id, [...version.stages]]));
    },
    valueAt(id, stage = AWSCURRENT) {
      const secret = lookup(id);
      return secret && holder(secret, stage)?.value?.string;
    },
    inject,
    failNext(operation, type = 'InternalServiceError', message) {
      inject(operation, { kind: 'error', type, ...(message !== undefined && { message }) });
    },
    get pendingFaults() {
      return faults.reduce((sum, f) => sum + f.remaining, 0);
    },
    clearFaults() {
      faults = [];
    },
    get connections() {
      return connections;
    },
    get calls() {
      return calls;
    },
    clearCalls() {
      calls = [];
    },
    reset() {
      secrets.clear();
      faults = [];
      calls = [];
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Hanging requests and idle keep-alive connections would otherwise keep close() waiting.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function main(): Promise<void> {
  const raw = process.env.SECRETS_MANAGER_PORT || '0';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new Error(`SECRETS_MANAGER_PORT must be a port number, got '${raw}'`);
  const engine = await startSecretsManager({ port });
  process.stdout.write(`AWS_ENDPOINT_URL_SECRETS_MANAGER=${engine.endpoint}\n`);
  const shutdown = () => {
    engine.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
