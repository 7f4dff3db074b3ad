// Where the API is: --url (HTTPS), or --stage / --function-name (direct invocation), from the
// options or the environment, as the command's reach allows.
import { usageError, type FunctionKey, type Transport } from './api.ts';
import type { Location, Reach, Values } from './command.ts';
import { flag } from './command.ts';
import { credentialUrl } from './endpoints.ts';
import { httpTransport } from './http.ts';

/** The functions' names: `<service>-<stage>-<function>` (serverless.yml). */
export const SERVICE = 'databrain-admin-api';
const STAGE = /^[A-Za-z0-9-]+$/;

export async function locate(values: Values, env: NodeJS.ProcessEnv, reach: Reach): Promise<Location> {
  let url = flag(values, 'url');
  let stage = flag(values, 'stage');
  const functionName = flag(values, 'function-name');
  const endpointRaw = flag(values, 'endpoint') ?? (env.AWS_ENDPOINT_URL_LAMBDA || undefined);
  const region = flag(values, 'region');
  if (url === undefined && stage === undefined && functionName === undefined) {
    url = env.DATABRAIN_API_URL || undefined;
    stage = env.DATABRAIN_STAGE || undefined;
    if (url !== undefined && stage !== undefined && reach === 'api') {
      throw usageError('DATABRAIN_API_URL and DATABRAIN_STAGE are both set: choose one with --url or --stage');
    }
  }
  if (reach === 'invoke' && url !== undefined) {
    throw usageError('this command works by direct invocation only (no route reaches its function): give --stage or --function-name, not --url');
  }
  // A claim may name its stage beside --url: the stage whose setup code to read.
  if (url !== undefined && (functionName !== undefined || (stage !== undefined && reach !== 'claim'))) {
    throw usageError('--url (HTTPS) and --stage/--function-name (direct invocation) exclude each other');
  }
  if (url === undefined && stage === undefined && functionName === undefined) {
    throw usageError(reach === 'invoke'
      ? 'where is the stack? --stage or DATABRAIN_STAGE (or --function-name): this command works by direct invocation only'
      : 'where is the API? --url or DATABRAIN_API_URL (HTTPS), or --stage, --function-name or DATABRAIN_STAGE (direct invocation)');
  }
  if (stage !== undefined && !STAGE.test(stage)) throw usageError(`--stage may hold only letters, digits and hyphens, got '${stage}'`);
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw usageError(`--region is not an AWS region name, got '${region}'`);
  // Checked even where it is not used: a plain-http endpoint to another host is always a mistake.
  const endpoint = endpointRaw === undefined ? undefined : credentialUrl(endpointRaw, flag(values, 'endpoint') !== undefined ? '--endpoint' : 'AWS_ENDPOINT_URL_LAMBDA');
  const aws = { ...(region !== undefined && { region }), ...(endpoint !== undefined && { endpoint }) };

  if (url !== undefined) {
    if (flag(values, 'endpoint') !== undefined) throw usageError('--endpoint is for direct invocation, not with --url');
    const { transport, where } = httpTransport(url);
    return { via: 'http', where, stage, aws, transport };
  }
  const name = (key: FunctionKey) => functionName ?? `${SERVICE}-${stage}-${key}`;
  return {
    via: 'invoke',
    where: functionName ?? `${SERVICE}-${stage}-<function>`,
    stage,
    aws,
    transport: await invokeTransport({ ...aws, functionName: name }),
  };
}

/** Loaded only here: over HTTPS the AWS SDK is never needed, so a clone without it still works. */
async function invokeTransport(target: Parameters<typeof import('./invoke.ts').invokeTransport>[0]): Promise<Transport> {
  let module: typeof import('./invoke.ts');
  try {
    module = await import('./invoke.ts');
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw usageError('direct invocation needs the AWS SDK, which this copy lacks: run npm ci in the clone, or install the '
      + 'packaged command line (docs/pipelines.md, "Installing databrain-admin")');
  }
  return module.invokeTransport(target);
}
