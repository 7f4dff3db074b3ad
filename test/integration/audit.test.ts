// Audit events and metrics (docs/operations.md, "Audit trail" and "Metrics"): every credential
// event is one JSON line at INFO with `"audit": "<event>"`, whatever the function's log level
// (SILENT aside), and the metrics are CloudWatch EMF lines written at the end of each invocation.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import {
  ADMIN,
  ManualClock,
  PATHS,
  bearer,
  createHarness,
  eventFor,
  invoke,
  lambdaContext,
  sha256Base64url,
  type Answer,
  type EventShape,
  type Harness,
  type HarnessOptions,
  type RequestSpec,
} from '../support/harness.ts';
import { LIFECYCLE_PATHS, authorizerEvent } from '../support/lifecycle.ts';
import { captureOutput } from '../support/proof.ts';
import type { LambdaHandler } from '../../lib/http/pipeline.lean.ts';

/** A service token's id in an audit line (never its value or digest). */
const TOKEN_ID = expect.stringMatching(/^st_[a-z2-7]{16}$/);

type Json = Record<string, any>;
const records = (output: string): Json[] => output.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Json);
const auditLines = (output: string) => records(output).filter((r) => 'audit' in r);
/** EMF lines: each metric the line defines, with its value and the line's dimensions. */
const metricLines = (output: string) =>
  records(output)
    .filter((r) => '_aws' in r)
    .map((r) => {
      const [directive] = r._aws.CloudWatchMetrics as { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
      expect(r._aws.Timestamp).toEqual(expect.any(Number));
      return {
        namespace: directive!.Namespace,
        metrics: Object.fromEntries(directive!.Metrics.map((m) => [m.Name, [m.Unit, r[m.Name]]])),
        dimensions: Object.fromEntries(directive!.Dimensions.flat().map((d) => [d, r[d]])),
        // An audit event's metric rides on its audit line.
        ...('audit' in r && { audit: r.audit }),
      };
    });
/** An audit line without its metric (the `_aws` directive and the metric's own key). */
function withoutMetric(record: Json): Json {
  const { _aws: aws, ...rest } = record;
  for (const { Name } of aws?.CloudWatchMetrics?.[0]?.Metrics ?? []) delete rest[Name];
  return rest;
}

const NEW_PASSWORD = 'N3w!Passw0rd#x';
const INTRUDER = 'mallory@acme-corp.com';
const USER_AGENT = 'pipeline/1.0';

/** One invocation: its event (so the test knows API Gateway's request id), its Lambda request id. */
interface Step {
  readonly lambdaRequestId: string;
  readonly gatewayRequestId: string | undefined;
  readonly answer: Answer;
}

async function step(handler: LambdaHandler, shape: EventShape, spec: RequestSpec): Promise<Step> {
  const event = eventFor(shape, { ...spec, headers: { ...(shape === 'direct' ? {} : { 'user-agent': USER_AGENT }), ...spec.headers } });
  const context = event.requestContext as Json | undefined;
  // What API Gateway reports as the caller's user agent (eventFor's own value is a placeholder).
  if (context?.http) context.http.userAgent = USER_AGENT;
  if (context?.identity) context.identity.userAgent = USER_AGENT;
  const lambdaRequestId = randomUUID();
  const answer = await invoke(handler, event, lambdaContext(lambdaRequestId) as Context);
  return { lambdaRequestId, gatewayRequestId: context?.requestId as string | undefined, answer };
}

/** The fields an audit line takes from where its request came from. */
const from = (s: Step, shape: EventShape) => ({
  ...(shape === 'direct'
    ? { source: 'direct' }
    : { source: 'http', clientAddress: '203.0.113.10', userAgent: USER_AGENT, gatewayRequestId: s.gatewayRequestId }),
  function_request_id: s.lambdaRequestId,
});

describe('audit events and metrics, through every credential operation', () => {
  const clock = new ManualClock();
  const time = () => new Date(clock.now()).toISOString();
  let harness: Harness;
  let broken: Harness;
  let output = '';
  const expected: Json[] = [];
  const statuses: number[] = [];
  const secrets: string[] = [];

  beforeAll(async () => {
    // Powertools counts a cold start only in an on-demand Lambda environment.
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    try {
      [harness, broken] = await Promise.all([
        createHarness({ clock, logLevel: 'INFO' }),
        createHarness({ logLevel: 'INFO', createTable: false }),
      ]);
    } finally {
      delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    }
    const h = harness.handlers;
    const note = (s: Step) => statuses.push(s.answer.statusCode);
    const token = randomUUID();
    secrets.push(ADMIN.password, NEW_PASSWORD, 'Wr0ng!Passw0rd', token, sha256Base64url(token), Buffer.from(harness.secret).toString('base64url'));

    output = (await captureOutput(async () => {
      // sign-up, over HTTP API
      let s = await step(h.createAdminAccount, 'http-api', { path: PATHS.adminAccount, body: ADMIN });
      note(s);
      const jwt0 = s.answer.body.data.accessToken as string;
      const items = await harness.items();
      const { companyId, adminId } = items.find((i) => i.pk === 'ACCOUNT') as Json;
      const admin = { actor: `admin:${adminId}`, companyId, adminId };
      expected.push({ audit: 'account.created', outcome: 'success', actor: 'anonymous', companyId, adminId, time: time(), ...from(s, 'http-api') });

      // a wrong password for the admin's email, over REST API: the account is named
      s = await step(h.createAdminJwt, 'rest-api', { path: PATHS.adminJwt, body: { email: ADMIN.email, password: 'Wr0ng!Passw0rd' } });
      note(s);
      expected.push({ audit: 'signin.failed', outcome: 'failure', actor: 'anonymous', reason: 'invalid_credentials', companyId, adminId, time: time(), ...from(s, 'rest-api') });

      // an unknown email, directly invoked, five times, then locked out: no account named
      for (let i = 0; i < 5; i++) {
        s = await step(h.createAdminJwt, 'direct', { path: PATHS.adminJwt, body: { email: INTRUDER, password: 'Wr0ng!Passw0rd' } });
        note(s);
        expected.push({ audit: 'signin.failed', outcome: 'failure', actor: 'anonymous', reason: 'invalid_credentials', time: time(), ...from(s, 'direct') });
      }
      s = await step(h.createAdminJwt, 'direct', { path: PATHS.adminJwt, body: { email: INTRUDER, password: 'Wr0ng!Passw0rd' } });
      note(s);
      expected.push({ audit: 'signin.locked', outcome: 'failure', actor: 'anonymous', reason: 'too_many_attempts', time: time(), ...from(s, 'direct') });

      // a successful sign-in, directly invoked
      s = await step(h.createAdminJwt, 'direct', { path: PATHS.adminJwt, body: { email: ADMIN.email, password: ADMIN.password } });
      note(s);
      const jwt = s.answer.body.data.accessToken as string;
      secrets.push(jwt0, jwt);
      expected.push({ audit: 'signin.succeeded', outcome: 'success', ...admin, time: time(), ...from(s, 'direct') });

      // create the service token, over HTTP API
      s = await step(h.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(jwt), body: { token: token.toUpperCase() } });
      note(s);
      expected.push({ audit: 'service_token.created', outcome: 'success', actor: admin.actor, companyId, tokenIds: [TOKEN_ID], time: time(), ...from(s, 'http-api') });

      // not credential events: a refused body, a bad JWT, the authorizer's allow and deny, introspection
      s = await step(h.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(jwt), body: { token: 'nope' } });
      note(s);
      s = await step(h.createServiceToken, 'http-api', { path: PATHS.serviceToken, headers: bearer(`${jwt}x`), body: { token } });
      note(s);
      await h.serviceTokenAuthorizer(authorizerEvent({ authorization: `Bearer ${token}` }), lambdaContext() as Context);
      await h.serviceTokenAuthorizer(authorizerEvent({ authorization: `Bearer ${randomUUID()}` }), lambdaContext() as Context);
      s = await step(h.getServiceToken, 'direct', { path: LIFECYCLE_PATHS.introspect, method: 'GET', headers: bearer(token) });
      note(s);

      // rotate (b), the service token as Bearer, over HTTP API; then (a), the admin JWT, directly
      s = await step(h.rotateServiceToken, 'http-api', { path: LIFECYCLE_PATHS.rotate, headers: bearer(token), body: { expireAt: 3600 } });
      note(s);
      const rotated = s.answer.body.key as string;
      // The actor is the presented token, by id; the ids are the rotated-out token's, then the new one's.
      expected.push({ audit: 'service_token.rotated', outcome: 'success', actor: expect.stringMatching(/^service_token:st_[a-z2-7]{16}$/), companyId, tokenIds: [TOKEN_ID, TOKEN_ID], graceSeconds: 3600, time: time(), ...from(s, 'http-api') });
      s = await step(h.rotateServiceToken, 'direct', { path: LIFECYCLE_PATHS.rotate, headers: bearer(jwt), body: { token: rotated, expireAt: '0' } });
      note(s);
      secrets.push(rotated, sha256Base64url(rotated), s.answer.body.key as string, sha256Base64url(s.answer.body.key as string));
      expected.push({ audit: 'service_token.rotated', outcome: 'success', actor: admin.actor, companyId, tokenIds: [TOKEN_ID, TOKEN_ID], graceSeconds: 0, time: time(), ...from(s, 'direct') });

      // reset: a wrong current password, the same password again, then a real reset
      s = await step(h.resetAdminPassword, 'http-api', { path: LIFECYCLE_PATHS.resetPassword, headers: bearer(jwt), body: { currentPassword: 'Wr0ng!Passw0rd', password: NEW_PASSWORD } });
      note(s);
      expected.push({ audit: 'password.reset_failed', outcome: 'failure', reason: 'current_password_incorrect', ...admin, time: time(), ...from(s, 'http-api') });
      s = await step(h.resetAdminPassword, 'direct', { path: LIFECYCLE_PATHS.resetPassword, headers: bearer(jwt), body: { currentPassword: ADMIN.password, password: ADMIN.password } });
      note(s);
      expected.push({ audit: 'password.reset_failed', outcome: 'failure', reason: 'same_password', ...admin, time: time(), ...from(s, 'direct') });
      s = await step(h.resetAdminPassword, 'http-api', { path: LIFECYCLE_PATHS.resetPassword, headers: bearer(jwt), body: { currentPassword: ADMIN.password, password: NEW_PASSWORD } });
      note(s);
      expected.push({ audit: 'password.reset', outcome: 'success', ...admin, time: time(), ...from(s, 'http-api') });

      // the authorizer when the table cannot be read: an error, not a denial
      await broken.handlers.serviceTokenAuthorizer(authorizerEvent({ authorization: `Bearer ${token}` }), lambdaContext() as Context).catch(() => undefined);
    })).output;
  }, 120_000);

  it('ran the flow as intended', () => {
    expect(statuses).toEqual([200, 400, 400, 400, 400, 400, 400, 429, 200, 200, 400, 401, 200, 200, 200, 400, 400, 200]);
  });

  it('writes exactly one audit line per credential event, with its fields, source and request ids', () => {
    const lines = auditLines(output);
    for (const line of lines) {
      // Powertools' own fields of every line.
      expect(line).toEqual(expect.objectContaining({ level: 'INFO', message: 'audit', service: 'databrain-admin-api', timestamp: expect.any(String) }));
    }
    const own = lines.map(withoutMetric).map(({ level: _l, message: _m, service: _s, timestamp: _t, sampling_rate: _r, ...rest }) => rest);
    expect(own).toStrictEqual(expected);
  });

  it('counts each event on its audit line, the authorizer\'s answers at the end of the invocation, and the cold start once', () => {
    const service = { service: 'databrain-admin-api' };
    const count = (name: string, audit?: string) => ({
      namespace: 'databrain-admin-api', metrics: { [name]: ['Count', 1] }, dimensions: service, ...(audit && { audit }),
    });
    const coldStart = { namespace: 'databrain-admin-api', metrics: { ColdStart: ['Count', 1] }, dimensions: { ...service, function_name: 'databrain-admin-api-test-fn' } };
    expect(metricLines(output)).toStrictEqual([
      // sign-up: its event has no metric; the container's first invocation ends with the cold start
      coldStart,
      ...Array.from({ length: 6 }, () => count('SignInFailed', 'signin.failed')),
      count('SignInLocked', 'signin.locked'),
      count('ServiceTokenCreated', 'service_token.created'),
      count('AuthorizerAllow'),
      count('AuthorizerDeny'),
      count('ServiceTokenRotated', 'service_token.rotated'),
      count('ServiceTokenRotated', 'service_token.rotated'),
      count('PasswordResetFailed', 'password.reset_failed'),
      count('PasswordResetFailed', 'password.reset_failed'),
      count('PasswordReset', 'password.reset'),
      // The broken harness is another container: its own cold start.
      coldStart,
      count('AuthorizerError'),
    ]);
  });

  it('never writes a password, token value, digest, JWT or signing key', () => {
    for (const secret of secrets) {
      expect({ secret, leaked: output.includes(secret) }).toStrictEqual({ secret, leaked: false });
    }
    for (const jwt of secrets.filter((s) => s.startsWith('eyJ'))) {
      for (const part of jwt.split('.')) expect(output.includes(part)).toBe(false);
    }
  });
});

describe('audit lines and the configured log level', () => {
  const signUpAt = async (logLevel: HarnessOptions['logLevel']) => {
    const harness = await createHarness({ logLevel });
    const { output } = await captureOutput(() =>
      step(harness.handlers.createAdminAccount, 'http-api', { path: PATHS.adminAccount, body: { ...ADMIN, email: `a${randomUUID().slice(0, 8)}@acme-corp.com` } }));
    return output;
  };

  it.each(['DEBUG', 'INFO', 'WARN', 'ERROR'] as const)('are written at INFO when the function logs at %s', async (level) => {
    const output = await signUpAt(level);
    expect(auditLines(output).map((r) => [r.level, r.audit])).toEqual([['INFO', 'account.created']]);
    // The successful request's own line stays at DEBUG.
    expect(records(output).some((r) => r.message === 'request completed')).toBe(level === 'DEBUG');
  }, 30_000);

  it('are not written at SILENT, and neither are metrics', async () => {
    expect(await signUpAt('SILENT')).toBe('');
  }, 30_000);
});
