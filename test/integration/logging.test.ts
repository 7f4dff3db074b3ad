// CONTRACT "Secrets at rest" / common rules: structured logs with the request id, and no secret in any line.
import { randomUUID } from 'node:crypto';
import {
  ADMIN,
  PATHS,
  bearer,
  call,
  createHarness,
  lambdaContext,
  type EventShape,
  type Harness,
  type RequestSpec,
} from '../support/harness.ts';
import { forgeJwt } from '../support/jwt.ts';
import { captureOutput } from '../support/proof.ts';

/** Runs `work` with everything written to stdout and stderr captured (and not printed). */
const capture = async (work: () => Promise<void>): Promise<string> => (await captureOutput(work)).output;

describe('logging', () => {
  let harness: Harness;
  let broken: Harness;
  let output: string;
  const requestIds: Record<string, string> = {};
  const jwts: string[] = [];
  const tokens: string[] = [];
  const statuses: Record<string, number> = {};

  beforeAll(async () => {
    [harness, broken] = await Promise.all([
      createHarness({ logLevel: 'DEBUG' }),
      createHarness({ logLevel: 'DEBUG', createTable: false }),
    ]);
    const brokenJwt = await forgeJwt(broken);
    jwts.push(brokenJwt);
    const token1 = randomUUID();
    const token2 = randomUUID();
    tokens.push(token1, token2);

    const step = async (name: string, h: Harness, handler: 'createAdminAccount' | 'createAdminJwt' | 'createServiceToken', shape: EventShape, spec: RequestSpec) => {
      requestIds[name] = `req-${name}-${randomUUID()}`;
      const response = await call(h.handlers[handler], shape, spec, lambdaContext(requestIds[name]));
      statuses[name] = response.statusCode;
      return response;
    };

    output = await capture(async () => {
      const signUp = await step('sign-up', harness, 'createAdminAccount', 'http-api', { path: PATHS.adminAccount, body: ADMIN });
      jwts.push(signUp.body.data.accessToken);
      await step('failed-sign-in', harness, 'createAdminJwt', 'rest-api', {
        path: PATHS.adminJwt,
        body: { email: ADMIN.email, password: `${ADMIN.password}x` },
      });
      const signIn = await step('sign-in', harness, 'createAdminJwt', 'direct', {
        path: PATHS.adminJwt,
        body: { email: ADMIN.email, password: ADMIN.password },
      });
      jwts.push(signIn.body.data.accessToken);
      await step('upsert', harness, 'createServiceToken', 'http-api', {
        path: PATHS.serviceToken,
        headers: bearer(signIn.body.data.accessToken),
        body: { token: `{${token1.toUpperCase()}}` },
      });
      await step('upsert-direct', harness, 'createServiceToken', 'direct', {
        path: PATHS.serviceToken,
        headers: bearer(signIn.body.data.accessToken),
        body: { token: token2.replaceAll('-', '') },
      });
      await step('invalid-token', harness, 'createServiceToken', 'http-api', {
        path: PATHS.serviceToken,
        headers: bearer(signIn.body.data.accessToken),
        body: { token: 'not-a-uuid' },
      });
      const tampered = `${signIn.body.data.accessToken.slice(0, -2)}AA`;
      jwts.push(tampered);
      await step('invalid-jwt', harness, 'createServiceToken', 'http-api', {
        path: PATHS.serviceToken,
        headers: bearer(tampered),
        body: { token: token1 },
      });
      await step('internal-error', broken, 'createServiceToken', 'http-api', {
        path: PATHS.serviceToken,
        headers: bearer(brokenJwt),
        body: { token: token2 },
      });
    });
  });

  const lines = () => output.split('\n').filter((line) => line.trim() !== '');
  const records = () => lines().map((line) => JSON.parse(line) as Record<string, any>);

  test('the flow ran as intended', () => {
    expect(statuses).toStrictEqual({
      'sign-up': 200,
      'failed-sign-in': 400,
      'sign-in': 200,
      upsert: 200,
      'upsert-direct': 200,
      'invalid-token': 400,
      'invalid-jwt': 401,
      'internal-error': 500,
    });
  });

  test('log lines were written, and every line is a JSON object with level, message and timestamp, or a metrics record', () => {
    expect(lines().length).toBeGreaterThanOrEqual(Object.keys(requestIds).length);
    for (const line of lines()) {
      const record = JSON.parse(line);
      // CloudWatch embedded metric format: the `_aws` key says which of the line's keys are metrics.
      if ('_aws' in record) continue;
      expect(record).toEqual(expect.objectContaining({ level: expect.any(String), message: expect.any(String), timestamp: expect.any(String) }));
    }
    expect(records().filter((record) => '_aws' in record).length).toBeGreaterThan(0);
  });

  test('each request logs its outcome with the Lambda request id', () => {
    const all = records();
    for (const [name, id] of Object.entries(requestIds)) {
      const mine = all.filter((record) => record.function_request_id === id);
      expect({ name, logged: mine.length > 0 }).toStrictEqual({ name, logged: true });
      expect(mine.some((record) => record.statusCode === statuses[name])).toBe(true);
    }
    // Every log line of the flow carries some request id: all invocations had a context.
    for (const record of all.filter((r) => !('_aws' in r))) expect(Object.values(requestIds)).toContain(record.function_request_id);
  });

  test('the unexpected failure is logged with its detail and request id (while the response stayed opaque)', () => {
    const mine = records().filter((record) => record.function_request_id === requestIds['internal-error']);
    const error = mine.find((record) => record.level === 'ERROR');
    expect(error).toBeDefined();
    expect(JSON.stringify(error)).toContain('ResourceNotFoundException');
  });

  test('no line contains the password, a JWT, a service token in any spelling, or the signing secret', () => {
    const secrets: [string, string][] = [
      ['password', ADMIN.password],
      ['wrong password', `${ADMIN.password}x`],
      ['signing secret (base64url)', Buffer.from(harness.secret).toString('base64url')],
      ['signing secret (base64)', Buffer.from(harness.secret).toString('base64')],
      ['signing secret (hex)', Buffer.from(harness.secret).toString('hex')],
      ['broken signing secret', Buffer.from(broken.secret).toString('base64url')],
    ];
    for (const jwt of jwts) {
      secrets.push(['jwt', jwt]);
      secrets.push(['jwt signature', jwt.split('.')[2]!]);
      secrets.push(['jwt payload', jwt.split('.')[1]!]);
    }
    for (const token of tokens) {
      const hex = token.replaceAll('-', '');
      for (const spelling of [token, hex, `{${token}}`]) {
        secrets.push(['token', spelling.toLowerCase()], ['token', spelling.toUpperCase()]);
      }
    }
    for (const line of lines()) {
      for (const [what, secret] of secrets) {
        expect({ what, leaked: line.includes(secret) }).toStrictEqual({ what, leaked: false });
      }
    }
  });
});
