// doctor: is this API there, and are my credentials good? Without credentials it only probes; with
// an admin JWT and/or a service token it checks each with a read-only call.
import { CliError, EXIT, isObject, type ApiCall, type CredentialUse } from '../api.ts';
import { payloadOf } from '../answers.ts';
import { stdinFlags, type Command, type Context } from '../command.ts';
import { SECRETS } from '../inputs.ts';
import { VERSION } from '../version.ts';

interface CredentialReport {
  valid: boolean;
  /** Why not, in the one sentence any other command would give. */
  problem?: string;
  [key: string]: unknown;
}

export const DOCTOR: Command = {
  name: 'doctor',
  summary: 'check that this API answers where you say, and (given them) your admin JWT and service token',
  usage: `doctor (--url <base URL> | --stage <stage>) [--jwt-stdin | --token-stdin]
  Without credentials: exit 0 when this API answers there, 3 when nothing or something else does.
  With an admin JWT (${SECRETS.jwt.env} or stdin) and/or a service token (${SECRETS.token.env} or
  stdin): also when the JWT expires and whether each is valid (read-only calls); exit 1 when one
  is refused. Prints a report (--json: one object).`,
  options: { ...stdinFlags(SECRETS.jwt, SECRETS.token) },
  reach: 'api',
  async run(context) {
    const { location, secrets } = context;
    // Side-effect free probes: each is refused before anything is read or written.
    // 1. A credential route without a credential: this API answers 401 AUTHENTICATION_ERROR.
    const identity = await probe(context, { function: 'createServiceToken', method: 'POST', path: '/api/v2/service-token' });
    if (identity.code !== 'AUTHENTICATION_ERROR' && identity.code !== 'SELFHOSTED_APP_ERROR') {
      throw new CliError(`nothing that looks like this API answered at ${location.where} (${identity.code ?? `HTTP ${identity.status}`} where AUTHENTICATION_ERROR was expected)`, EXIT.transport, identity.code ? { code: identity.code, status: identity.status } : { status: identity.status });
    }
    const selfHosted = identity.code !== 'SELFHOSTED_APP_ERROR';
    // 2. A claim with an empty body: its proof is checked first (setupCode, iam over HTTP), else the body.
    const claim = selfHosted ? await probe(context, { function: 'createAdminAccount', method: 'POST', path: '/api/v2/admin-account', body: {} }) : undefined;
    const claimMode = claim === undefined ? undefined
      : claim.code === 'SETUP_CODE_REQUIRED' ? 'setupCode'
        : claim.code === 'CLAIM_BY_INVOCATION_ONLY' ? 'iam'
          : location.via === 'http' ? 'open' : 'iam or open';

    const jwt = await secrets.optionalCredential(SECRETS.jwt, 'admin JWT');
    const token = await secrets.optionalCredential(SECRETS.token, 'service token');
    const report: Record<string, unknown> = {
      version: VERSION,
      api: location.where,
      via: location.via,
      stage: location.stage ?? null,
      selfHosted,
      claimMode: claimMode ?? null,
      ...(jwt && { adminJwt: await checkJwt(context, jwt) }),
      ...(token && { serviceToken: await checkToken(context, token) }),
    };
    const lines = [
      `databrain-admin ${VERSION}`,
      `API            this API answers at ${location.where} (${location.via === 'http' ? 'HTTP' : 'direct invocation'})`,
      `stage          ${location.stage ?? 'not named over HTTP (the API does not tell it; --stage names it for direct invocation)'}`,
      `self-hosted    ${selfHosted ? 'yes' : 'no: every route answers 500 SELFHOSTED_APP_ERROR (stage parameter selfHosted)'}`,
      ...(claimMode ? [`claim          ${describeClaim(claimMode)}`] : []),
      ...(report.adminJwt ? [`admin JWT      ${describeJwt(report.adminJwt as CredentialReport)}`] : []),
      ...(report.serviceToken ? [`service token  ${describeToken(report.serviceToken as CredentialReport)}`] : []),
    ];
    const refused = [report.adminJwt, report.serviceToken].filter((c) => c !== undefined && !(c as CredentialReport).valid) as CredentialReport[];
    if (refused.length > 0) {
      // The report first (stdout), then the failure: exit 1, as for any refused credential.
      throw new DoctorFindings(lines.join('\n'), report, refused.map((c) => c.problem!).join('; '));
    }
    return { text: lines.join('\n'), json: report };
  },
};

/** doctor's report when a credential was refused: printed like a result, exiting like a refusal. */
export class DoctorFindings extends CliError {
  readonly text: string;
  readonly json: unknown;
  constructor(text: string, json: unknown, message: string) {
    super(message, EXIT.api);
    this.text = text;
    this.json = json;
  }
}

/** One probe: the answer's status and error code, whatever they are (never throws for a refusal). */
async function probe(context: Context, request: ApiCall): Promise<{ status: number; code: string | undefined }> {
  const answer = await context.location.transport(request);
  const error = isObject(answer.body) && isObject(answer.body.error) && typeof answer.body.error.code === 'string' ? answer.body.error.code : undefined;
  return { status: answer.status, code: error };
}

async function checkJwt(context: Context, jwt: CredentialUse): Promise<CredentialReport> {
  const claims = payloadOf(jwt.value);
  const expiresAt = typeof claims?.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : undefined;
  const about = { expiresAt: expiresAt ?? null, companyId: claims?.companyId ?? null };
  try {
    await context.call({ function: 'listServiceTokens', method: 'GET', path: '/api/v2/service-tokens', bearer: jwt });
    return { valid: true, ...about };
  } catch (error) {
    if (!(error instanceof CliError) || error.exitCode !== EXIT.api) throw error;
    return { valid: false, problem: error.message, ...about };
  }
}

async function checkToken(context: Context, token: CredentialUse): Promise<CredentialReport> {
  const request: ApiCall = { function: 'getServiceToken', method: 'GET', path: '/api/v2/service-token', bearer: token };
  try {
    const data = (await context.call(request)).data as Record<string, unknown> | undefined;
    return { valid: true, id: data?.id ?? null, companyId: data?.companyId ?? null, expiresAt: data?.expiresAt ?? null };
  } catch (error) {
    if (!(error instanceof CliError) || error.exitCode !== EXIT.api) throw error;
    return { valid: false, problem: error.message };
  }
}

function describeClaim(mode: string): string {
  switch (mode) {
    case 'setupCode':
      return 'setupCode: a claim needs the stage\'s setup code (databrain-admin bootstrap)';
    case 'iam':
      return 'iam: only a direct invocation may claim (databrain-admin bootstrap --stage)';
    case 'open':
      return 'open: the first caller claims the instance, or it is claimed already';
    default:
      return 'iam or open (a direct invocation cannot tell them apart), or claimed already';
  }
}

function describeJwt(report: CredentialReport): string {
  if (!report.valid) return `refused: ${report.problem}`;
  const expires = report.expiresAt as string | null;
  const left = expires === null ? '' : ` (${Math.max(0, Math.round((Date.parse(expires) - Date.now()) / 60_000))} min left)`;
  return `valid until ${expires ?? '?'}${left}, company ${String(report.companyId)}`;
}

function describeToken(report: CredentialReport): string {
  if (!report.valid) return `refused: ${report.problem}`;
  const grace = report.expiresAt === null ? 'current' : `in its grace period until ${String(report.expiresAt)}`;
  return `valid: ${String(report.id)}, ${grace}, company ${String(report.companyId)}`;
}
