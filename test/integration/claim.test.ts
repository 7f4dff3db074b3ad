// CONTRACT §12, first bullet — claiming a deployed instance (stage parameter claimMode,
// lib/admin/claim.ts): POST /api/v2/admin-account with the setup code the stack keeps in Secrets
// Manager (`setupCode`), by direct invocation only (`iam`), or first caller wins (`open`).
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  ADMIN,
  EVENT_SHAPES,
  ManualClock,
  PATHS,
  call,
  createHarness,
  expectCredential,
  expectError,
  type EventShape,
  type Harness,
} from '../support/harness.ts';
import { expectTableUnchanged } from '../support/lifecycle.ts';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { pointSdkAt, secretsManagerClient, startSecretsManager, type SecretsManagerEngine } from '../support/secrets-manager.ts';

// Each test hashes or verifies passwords (argon2id) several times: on a loaded machine that takes
// seconds. A hang guard only, far above it; no test here bounds how fast anything is.
jest.setTimeout(120_000);

const SETUP_CODE_REQUIRED = 'This instance can only be claimed with its setup code (databrain-admin bootstrap)';
const BY_INVOCATION_ONLY = 'This instance can only be claimed by its operator (databrain-admin bootstrap)';
const ALREADY_CREATED = 'Your company account is already created, please sign in';
const SECRET_NAME = 'databrain-admin-api/test/setup-code';

/** What CloudFormation's GenerateSecretString makes of serverless.yml's settings: 40 alphanumerics. */
const newCode = () => randomBytes(30).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(40, 'x').slice(0, 40);

const claim = (harness: Harness, shape: EventShape, headers: Record<string, string>, body: unknown = ADMIN) =>
  call(harness.handlers.createAdminAccount, shape, { path: PATHS.adminAccount, headers, body });

let engine: SecretsManagerEngine;
let restoreSdk: () => void;

beforeAll(async () => {
  engine = await startSecretsManager();
  restoreSdk = pointSdkAt(engine);
});

afterAll(async () => {
  restoreSdk?.();
  await engine?.stop();
});

/** A fresh table whose createAdminAccount runs in claimMode setupCode, with its own secret holding `code`. */
async function setupCodeInstance(code: string, clock = new ManualClock()): Promise<{ harness: Harness; arn: string }> {
  const { arn } = engine.create(`${SECRET_NAME}-${randomBytes(4).toString('hex')}`, code);
  const harness = await createHarness({ clock, env: { CLAIM_MODE: 'setupCode', SETUP_CODE_SECRET_ARN: arn } });
  return { harness, arn };
}

describe.each(EVENT_SHAPES)('claimMode setupCode, over %s', (shape) => {
  const code = newCode();
  let harness: Harness;

  beforeAll(async () => {
    ({ harness } = await setupCodeInstance(code));
  });

  it('refuses a claim without the code: 403 SETUP_CODE_REQUIRED, and writes nothing', async () => {
    const response = await expectTableUnchanged(harness, () => claim(harness, shape, {}));
    expectError(response, 403, 'SETUP_CODE_REQUIRED', SETUP_CODE_REQUIRED);
    expect(await harness.items()).toEqual([]);
  });

  it.each([
    ['a wrong code of the same length', () => `${code.slice(0, -1)}${code.endsWith('a') ? 'b' : 'a'}`],
    ['the code in another case', () => code.toLowerCase() === code ? code.toUpperCase() : code.toLowerCase()],
    ['a prefix of the code', () => code.slice(0, 20)],
    ['the code and more', () => `${code}x`],
    ['the code padded with spaces', () => ` ${code} `],
    ['an empty header', () => ''],
  ])('refuses %s: 403 SETUP_CODE_REQUIRED, and writes nothing', async (_, given) => {
    const response = await expectTableUnchanged(harness, () => claim(harness, shape, { 'x-setup-code': given() }));
    expectError(response, 403, 'SETUP_CODE_REQUIRED', SETUP_CODE_REQUIRED);
  });

  it('checks the code before the body: an invalid body without the code is 403, with it 400', async () => {
    const weak = { ...ADMIN, password: 'weak' };
    expectError(await claim(harness, shape, {}, weak), 403, 'SETUP_CODE_REQUIRED', SETUP_CODE_REQUIRED);
    expectError(await claim(harness, shape, { 'x-setup-code': code }, weak), 400, 'INVALID_REQUEST_BODY', '"password" length must be at least 8 characters long');
    expect(await harness.items()).toEqual([]);
  });

  it('accepts the claim with the code exactly once; a second one, code or not, changes nothing', async () => {
    const response = await claim(harness, shape, { 'X-Setup-Code': code });
    expectCredential(response);
    const items = await harness.items();
    expect(items).toEqual([expect.objectContaining({ pk: 'ACCOUNT', email: ADMIN.email, companyName: ADMIN.companyName })]);

    const again = await expectTableUnchanged(harness, () => claim(harness, shape, { 'x-setup-code': code }, { ...ADMIN, companyName: 'Other' }));
    expectError(again, 400, 'INVALID_REQUEST', ALREADY_CREATED);
    const without = await expectTableUnchanged(harness, () => claim(harness, shape, {}));
    expectError(without, 403, 'SETUP_CODE_REQUIRED', SETUP_CODE_REQUIRED);
  });
});

describe('claimMode setupCode: the secret', () => {
  it('is read at the first claim, kept a minute, then read again: a replaced code counts from then', async () => {
    const clock = new ManualClock();
    const first = newCode();
    const { harness, arn } = await setupCodeInstance(first, clock);
    const reads = () => engine.calls.filter((c) => c.operation === 'GetSecretValue' && c.input.SecretId === arn).length;
    expect(reads()).toBe(0); // nothing at start: the code is read by a claim, never at cold start

    for (let attempt = 0; attempt < 3; attempt++) expectError(await claim(harness, 'http-api', {}), 403, 'SETUP_CODE_REQUIRED', SETUP_CODE_REQUIRED);
    // A missing header needs no read; a wrong code does, once for the burst.
    expect(reads()).toBe(0);
    for (let attempt = 0; attempt < 3; attempt++) {
      expectError(await claim(harness, 'http-api', { 'x-setup-code': newCode() }), 403, 'SETUP_CODE_REQUIRED', SETUP_CODE_REQUIRED);
    }
    expect(reads()).toBe(1);

    // The operator replaces the code (docs/operations.md): the container still holds the old one for up to a minute.
    const second = newCode();
    const client = secretsManagerClient(engine);
    await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: second }));
    client.destroy();
    clock.advance(59_000);
    expectError(await claim(harness, 'http-api', { 'x-setup-code': second }), 403, 'SETUP_CODE_REQUIRED', SETUP_CODE_REQUIRED);
    clock.advance(1_000);
    expectError(await claim(harness, 'http-api', { 'x-setup-code': first }), 403, 'SETUP_CODE_REQUIRED', SETUP_CODE_REQUIRED);
    expect(reads()).toBe(2);
    expect(await harness.items()).toEqual([]);
    expectCredential(await claim(harness, 'http-api', { 'x-setup-code': second }));
  });

  it('that cannot be read answers 500 INTERNAL_SERVER_ERROR, and nothing is written', async () => {
    const code = newCode();
    const { harness } = await setupCodeInstance(code);
    // Not retried by the SDK: the function's role lacking the permission, say.
    engine.failNext('GetSecretValue', 'AccessDeniedException', 'not authorized to perform secretsmanager:GetSecretValue');
    const response = await expectTableUnchanged(harness, () => claim(harness, 'direct', { 'x-setup-code': code }));
    expectError(response, 500, 'INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR');
    // Not kept: the next claim reads it again, and succeeds.
    expectCredential(await claim(harness, 'direct', { 'x-setup-code': code }));
  });
});

describe('claimMode iam', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness({ env: { CLAIM_MODE: 'iam' } });
  });

  it.each(['http-api', 'rest-api'] as const)('refuses a claim that came through API Gateway (%s), even with a setup code header: 403, nothing written', async (shape) => {
    for (const headers of [{}, { 'x-setup-code': newCode() }] as Record<string, string>[]) {
      const response = await expectTableUnchanged(harness, () => claim(harness, shape, headers));
      expectError(response, 403, 'CLAIM_BY_INVOCATION_ONLY', BY_INVOCATION_ONLY);
    }
    // Before the body, as a credential is.
    expectError(await claim(harness, shape, {}, { firstName: 'x' }), 403, 'CLAIM_BY_INVOCATION_ONLY', BY_INVOCATION_ONLY);
    expect(await harness.items()).toEqual([]);
  });

  it('accepts a direct invocation exactly once; a second one answers "already created" and changes nothing', async () => {
    expectCredential(await claim(harness, 'direct', {}));
    const again = await expectTableUnchanged(harness, () => claim(harness, 'direct', {}, { ...ADMIN, email: 'grace@acme-corp.com' }));
    expectError(again, 400, 'INVALID_REQUEST', ALREADY_CREATED);
  });
});

describe('claimMode open (npm start)', () => {
  it.each(EVENT_SHAPES)('lets the first caller claim over %s, without any code', async (shape) => {
    const harness = await createHarness({ env: { CLAIM_MODE: 'open' } });
    expectCredential(await claim(harness, shape, {}));
    expectError(await claim(harness, shape, {}), 400, 'INVALID_REQUEST', ALREADY_CREATED);
  });
});

describe('without a claim mode', () => {
  it('answers 500 rather than letting anyone claim (the deployed function refuses to start: test/unit/configuration-docs.test.ts)', async () => {
    const harness = await createHarness({ env: { CLAIM_MODE: '' } });
    const response = await expectTableUnchanged(harness, () => claim(harness, 'direct', {}));
    expectError(response, 500, 'INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR');
  });
});
