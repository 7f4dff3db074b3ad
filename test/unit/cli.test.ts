import { CliError, EXIT, type ApiAnswer, type ApiCall, type CredentialUse } from '../../cli/api.ts';
import { successBody } from '../../cli/answers.ts';
import { credentialUrl, redact } from '../../cli/endpoints.ts';
import { refuseSecretsInArgv } from '../../cli/inputs.ts';
import { masker } from '../../cli/output.ts';
import { COMMANDS, findCommand } from '../../cli/commands/index.ts';

/*
 * The command line's judgements, without a server: which answers are the API's refusals (exit 1)
 * and which are "nothing that looks like this API" (exit 3), the one sentence for a refused
 * credential, the URLs it accepts and how it shows them, GitHub Actions masking. The end-to-end
 * suites (test/e2e/cli*.test.ts) run the same paths against the real stack.
 */

const WHERE = 'https://api.example.com';
const json = { 'content-type': 'application/json' };
const answer = (status: number, body: unknown, headers: Record<string, string> = json): ApiAnswer => ({ status, headers, body });
const jwtWith = (payload: object) => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2lnbmF0dXJl`;
const credential = (kind: CredentialUse['kind'], value: string): CredentialUse =>
  ({ kind, value, from: kind === 'admin JWT' ? 'DATABRAIN_ADMIN_JWT or --jwt-stdin' : 'DATABRAIN_SERVICE_TOKEN or --token-stdin' });
const call = (extra: Partial<ApiCall> = {}): ApiCall => ({ function: 'listServiceTokens', method: 'GET', path: '/api/v2/service-tokens', ...extra });

function outcome(got: ApiAnswer, request: ApiCall = call()): { exit: number; message: string; detail?: unknown } | 'ok' {
  try {
    successBody(got, request, WHERE);
    return 'ok';
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return { exit: error.exitCode, message: error.message, detail: error.detail };
  }
}

describe('an answer: the API\'s result, its refusal (exit 1), or not this API (exit 3)', () => {
  it('a 2xx JSON object is the result; a 2xx that is not one is not this API', () => {
    expect(outcome(answer(200, { data: [] }))).toBe('ok');
    expect(outcome(answer(200, '<html>hello</html>', { 'content-type': 'text/html' }))).toEqual({
      exit: EXIT.transport, message: `nothing that looks like this API answered at ${WHERE} (HTTP 200, text/html): check the URL or stage`, detail: { status: 200 },
    });
  });

  it('the functions\' envelope is the API refusing: its code and message, exit 1', () => {
    expect(outcome(answer(400, { error: { code: 'INVALID_REQUEST_BODY', message: '"id" is required' } }))).toEqual({
      exit: EXIT.api, message: 'INVALID_REQUEST_BODY: "id" is required', detail: { code: 'INVALID_REQUEST_BODY', status: 400 },
    });
  });

  it('a 429 shows its Retry-After', () => {
    const locked = answer(429, { error: { code: 'TOO_MANY_ATTEMPTS', message: 'Too many failed sign-in attempts, try again later' } }, { ...json, 'retry-after': '840' });
    expect(outcome(locked)).toEqual({
      exit: EXIT.api,
      message: 'TOO_MANY_ATTEMPTS: Too many failed sign-in attempts, try again later (retry after 840 s)',
      detail: { code: 'TOO_MANY_ATTEMPTS', status: 429, retryAfter: 840 },
    });
    expect(outcome(answer(429, { message: 'Too Many Requests' }))).toEqual({ exit: EXIT.api, message: 'HTTP 429: Too Many Requests', detail: { status: 429 } });
  });

  it.each([500, 503])('API Gateway\'s own %i ({"message"}) is this API answering: exit 1', (status) => {
    expect(outcome(answer(status, { message: 'Internal Server Error' }))).toMatchObject({ exit: EXIT.api, message: `HTTP ${status}: Internal Server Error` });
  });

  it.each([
    ['API Gateway\'s 404 for a route it does not have (a URL with a wrong path)', answer(404, { message: 'Not Found' })],
    ['a web server\'s 404 page', answer(404, '<html>Not Found</html>', { 'content-type': 'text/html' })],
    ['a redirect', answer(301, '', { location: 'https://elsewhere.example.com/' })],
    ['a JSON error of another API', answer(400, { errors: [{ detail: 'bad' }] })],
    ['a 403 with more than a message (S3, CloudFront)', answer(403, { message: 'Forbidden', code: 'AccessDenied' })],
  ])('%s: exit 3', (_, got) => {
    expect(outcome(got)).toMatchObject({ exit: EXIT.transport, message: expect.stringMatching(/^nothing that looks like this API answered at https:\/\/api\.example\.com \(HTTP \d+/) });
  });
});

describe('a refused credential: one sentence, whatever route and transport refused it', () => {
  const token = credential('service token', '6b0c1d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e');
  const DEAD = 'the service token (DATABRAIN_SERVICE_TOKEN or --token-stdin) is not valid: unknown, revoked, or past its grace period';

  it.each([
    ['the function\'s 401 (direct invocation, or a route that checks it itself)', answer(401, { error: { code: 'AUTHENTICATION_ERROR', message: 'Invalid Service Token' } }), call({ bearer: token })],
    ['the authorizer\'s 403 over HTTP', answer(403, { message: 'Forbidden' }), call({ bearer: token })],
    ['rotation form (a) naming it: 400', answer(400, { error: { code: 'AUTHENTICATION_ERROR', message: 'Invalid Service Token' } }), call({ bearer: credential('admin JWT', jwtWith({ exp: 4e9 })), named: token })],
  ])('a dead service token, refused by %s', (_, got, request) => {
    expect(outcome(got, request)).toMatchObject({ exit: EXIT.api, message: DEAD });
  });

  it('a token no longer current (EXPIRED_SERVICE_TOKEN) is said so, and the code kept for --json', () => {
    expect(outcome(answer(400, { error: { code: 'EXPIRED_SERVICE_TOKEN', message: 'Service token is already expired' } }), call({ bearer: token }))).toEqual({
      exit: EXIT.api,
      message: 'the service token (DATABRAIN_SERVICE_TOKEN or --token-stdin) is no longer the current one (it is in its grace period, or past it): only the current token can do this',
      detail: { code: 'EXPIRED_SERVICE_TOKEN', status: 400 },
    });
  });

  it('an admin JWT: expired (with when), not a JWT, or refused otherwise', () => {
    const refused = answer(401, { error: { code: 'AUTHENTICATION_ERROR', message: 'Invalid or missing credentials' } });
    const exp = Math.floor(Date.now() / 1000) - 60;
    expect(outcome(refused, call({ bearer: credential('admin JWT', jwtWith({ exp })) }))).toMatchObject({
      message: `the admin JWT (DATABRAIN_ADMIN_JWT or --jwt-stdin) expired at ${new Date(exp * 1000).toISOString()}: sign in again (databrain-admin sign-in)`,
    });
    expect(outcome(refused, call({ bearer: credential('admin JWT', 'not-a-jwt') }))).toMatchObject({ message: 'the admin JWT (DATABRAIN_ADMIN_JWT or --jwt-stdin) is not a JWT' });
    expect(outcome(refused, call({ bearer: credential('admin JWT', jwtWith({ exp: exp + 3600 })) }))).toMatchObject({
      message: 'the admin JWT (DATABRAIN_ADMIN_JWT or --jwt-stdin) was refused: revoked by a password reset or recovery, or issued by another stage; sign in again (databrain-admin sign-in)',
    });
  });

  it('a refusal that is not about the credential keeps the API\'s words (the control)', () => {
    const notFound = answer(404, { error: { code: 'SERVICE_TOKEN_NOT_FOUND', message: 'Service token not found' } });
    expect(outcome(notFound, call({ bearer: credential('admin JWT', jwtWith({ exp: 4e9 })) }))).toMatchObject({ message: 'SERVICE_TOKEN_NOT_FOUND: Service token not found' });
  });
});

describe('URLs that carry credentials (--url, --endpoint)', () => {
  it.each(['https://api.example.com', 'https://api.example.com/prefix/', 'http://localhost:3000', 'http://127.0.0.1:3002', 'http://[::1]:3000'])('accepts %s', (url) => {
    expect(credentialUrl(url, '--url').href).toBe(new URL(url).href);
  });

  it.each([
    ['http://api.example.com', '--url must be https:// (plain http only to localhost), got http://api.example.com'],
    ['ftp://localhost', '--url must be https:// (plain http only to localhost), got ftp://localhost'],
    ['https://ops:s3cret@api.example.com/x?token=abc', '--url must not carry a user name or password (https://***@api.example.com/x): the API takes its credentials from the environment or stdin'],
    ['https://ops@api.example.com', '--url must not carry a user name or password (https://***@api.example.com): the API takes its credentials from the environment or stdin'],
    ['s3cret-not-a-url', '--url is not a URL'],
  ])('refuses %s, without repeating a credential', (url, message) => {
    expect(() => credentialUrl(url, '--url')).toThrow(new CliError(message, EXIT.usage));
  });

  it('shows a URL without user info, query or fragment', () => {
    expect(redact(new URL('https://a:b@host.example.com:8443/base?key=v#x'))).toBe('https://***@host.example.com:8443/base');
  });
});

describe('secrets', () => {
  it.each(['--setup-code', '--setup-code=abc', '--new-password', '--code'])('%s on the command line is refused', (arg) => {
    expect(() => refuseSecretsInArgv(['bootstrap', arg])).toThrow(/never taken from the command line/);
  });

  it('are masked under GitHub Actions only: each line of each value once, on stderr', () => {
    const lines: string[] = [];
    const io = { stdout: () => { throw new Error('stdout must stay clean'); }, stderr: (text: string) => lines.push(text) };
    const mask = masker({ GITHUB_ACTIONS: 'true' }, io);
    mask('first');
    mask('first');
    mask('two\nlines');
    expect(lines).toEqual(['::add-mask::first\n', '::add-mask::two\n', '::add-mask::lines\n']);
    const quiet: string[] = [];
    masker({}, { stdout: () => {}, stderr: (text) => quiet.push(text) })('secret');
    expect(quiet).toEqual([]);
  });
});

describe('the commands', () => {
  it('have unique names, and each takes its own options only once', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['bootstrap', 'sign-in', 'recover', 'create', 'rotate', 'revoke', 'list', 'introspect', 'doctor']));
  });

  it('are found by their first word (or two: a group and a verb), never by a flag', () => {
    expect(findCommand(['sign-in', '--email', 'x'])).toMatchObject({ command: { name: 'sign-in' }, words: 1 });
    expect(findCommand(['--json', 'list'])).toBeUndefined();
    expect(findCommand(['nope'])).toBeUndefined();
  });

  it('offer --output-file exactly where they print a new secret', () => {
    expect(COMMANDS.filter((c) => c.printsSecret).map((c) => c.name).sort()).toEqual(['bootstrap', 'create', 'rotate', 'sign-in']);
  });
});
