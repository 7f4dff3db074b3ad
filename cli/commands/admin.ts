// The admin account: sign in, claim a deployed instance (bootstrap), and the operator's way back in
// (recover). docs/pipelines.md, "Commands"; the runbooks: docs/deployment.md, docs/operations.md.
import { CliError, field, usageError } from '../api.ts';
import { flag, stdinFlags, type Command, type Context } from '../command.ts';
import { isLoopback } from '../endpoints.ts';
import { SECRETS, sourceOf } from '../inputs.ts';
import { SERVICE } from '../location.ts';

const isString = (value: unknown): value is string => typeof value === 'string' && value !== '';

export const ADMIN_COMMANDS: Command[] = [
  {
    name: 'sign-in',
    summary: 'sign in; prints an admin JWT',
    usage: `sign-in --email <address> [--password-stdin] [--output-file <path>]
  The email from --email or DATABRAIN_ADMIN_EMAIL; the password from ${SECRETS.password.env} or stdin.`,
    options: { email: { type: 'string' }, ...stdinFlags(SECRETS.password) },
    reach: 'api',
    printsSecret: true,
    async run({ values, env, secrets, call }) {
      const email = flag(values, 'email') ?? (env.DATABRAIN_ADMIN_EMAIL || undefined);
      if (!email) throw usageError('needs the admin email: --email or DATABRAIN_ADMIN_EMAIL');
      const password = await secrets.required(SECRETS.password);
      const body = await call({ function: 'createAdminJwt', method: 'POST', path: '/api/v2/admin-account/jwt', body: { email, password } });
      const accessToken = field(body, 'data.accessToken', isString);
      return { text: accessToken, json: { accessToken }, secret: accessToken };
    },
  },

  {
    name: 'bootstrap',
    summary: 'claim a deployed instance: create its company and first admin; prints an admin JWT',
    usage: `bootstrap --stage <stage> [--region <region>] [--url <base URL>] --first-name <name> --email <address>
          --company-name <name> [--password-stdin | --setup-code-stdin] [--output-file <path>]
  With the deployer's AWS credentials: reads the stage's setup code from Secrets Manager
  (${SERVICE}/<stage>/setup-code; none there: claimMode iam or open), then claims by direct
  invocation of ${SERVICE}-<stage>-createAdminAccount, or with --url over HTTPS with the code in
  X-Setup-Code. The password (the sign-up rules) from ${SECRETS.password.env} or stdin; a setup code
  read elsewhere from ${SECRETS.setupCode.env} or stdin. The email may come from DATABRAIN_ADMIN_EMAIL.`,
    options: {
      'first-name': { type: 'string' },
      email: { type: 'string' },
      'company-name': { type: 'string' },
      ...stdinFlags(SECRETS.password, SECRETS.setupCode),
    },
    reach: 'claim',
    printsSecret: true,
    async run(context) {
      const { values, env, secrets, call } = context;
      const body = {
        firstName: required(flag(values, 'first-name'), '--first-name <the admin\'s first name>'),
        email: required(flag(values, 'email') ?? (env.DATABRAIN_ADMIN_EMAIL || undefined), '--email <the admin\'s address> (or DATABRAIN_ADMIN_EMAIL)'),
        password: await secrets.required(SECRETS.password),
        companyName: required(flag(values, 'company-name'), '--company-name <the company\'s name>'),
      };
      const given = await secrets.optional(SECRETS.setupCode);
      const secretName = context.location.stage === undefined ? undefined : `${SERVICE}/${context.location.stage}/setup-code`;
      const code = given ?? (await storedSetupCode(context, secretName));
      try {
        const answer = await call({
          function: 'createAdminAccount',
          method: 'POST',
          path: '/api/v2/admin-account',
          ...(code !== undefined && { headers: { 'x-setup-code': code } }),
          body,
        });
        const accessToken = field(answer, 'data.accessToken', isString);
        return { text: accessToken, json: { accessToken }, secret: accessToken };
      } catch (error) {
        throw claimRefusal(error, { given: given !== undefined, found: code !== undefined, secretName, overHttp: context.location.via === 'http' });
      }
    },
  },

  {
    name: 'recover',
    summary: 'the operator\'s way back in: set a new admin password (direct invocation); prints the admin\'s email',
    usage: `recover --stage <stage> [--region <region>] [--password-stdin]
  Invokes ${SERVICE}-<stage>-recoverAdminAccess with the caller's AWS credentials (no route reaches it).
  The new password (the sign-up rules) from ${SECRETS.password.env} or stdin, never the command line.
  Every admin JWT issued before is refused afterwards; the lock-outs are lifted.`,
    options: { ...stdinFlags(SECRETS.password) },
    reach: 'invoke',
    async run({ secrets, call }) {
      const password = await secrets.required(SECRETS.password);
      const answer = await call({ function: 'recoverAdminAccess', method: 'POST', path: '(no route: recoverAdminAccess)', body: { password } });
      const email = field(answer, 'data.email', isString);
      return { text: email, json: { success: true, email } };
    },
  },
];

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw usageError(`needs ${what}`);
  return value;
}

/**
 * The stage's setup code from Secrets Manager, when the command line names the stage. Not for a
 * stack on this machine (a loopback Lambda endpoint: npm start has none), unless the Secrets Manager
 * endpoint is pointed elsewhere too (AWS_ENDPOINT_URL_SECRETS_MANAGER, a test engine).
 */
async function storedSetupCode(context: Context, secretName: string | undefined): Promise<string | undefined> {
  if (secretName === undefined) return undefined;
  const { endpoint } = context.location.aws;
  if (endpoint !== undefined && isLoopback(endpoint) && !context.env.AWS_ENDPOINT_URL_SECRETS_MANAGER) return undefined;
  const { readSetupCode } = await import('../setup-code.ts');
  return readSetupCode(secretName, context.location.aws);
}

/** The claim's refusals said in terms of what this command did, the API's code kept. */
function claimRefusal(error: unknown, how: { given: boolean; found: boolean; secretName: string | undefined; overHttp: boolean }): unknown {
  if (!(error instanceof CliError)) return error;
  const { code } = error.detail;
  if (code === 'SETUP_CODE_REQUIRED') {
    const why = how.given
      ? `the setup code in ${sourceOf(SECRETS.setupCode)} was refused: is it this stage's?`
      : how.found
        ? `the setup code read from ${how.secretName} was refused: was it replaced since? Run again`
        : how.secretName === undefined
          ? 'the instance asks for its setup code: give --stage (its code is read from Secrets Manager) or the code itself'
          : `the instance asks for its setup code, and ${how.secretName} does not exist: is --stage right?`;
    return new CliError(`${why} (SETUP_CODE_REQUIRED)`, error.exitCode, error.detail);
  }
  if (code === 'CLAIM_BY_INVOCATION_ONLY' && how.overHttp) {
    return new CliError('this instance can only be claimed by direct invocation (claimMode iam): drop --url and give --stage (CLAIM_BY_INVOCATION_ONLY)', error.exitCode, error.detail);
  }
  return error;
}
