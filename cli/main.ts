// databrain-admin: the admin and service-token calls for pipelines, failing loudly. The result alone
// on stdout (so `NEW=$(databrain-admin rotate …)` is safe), diagnostics on stderr, and a non-zero
// exit status for anything but a 2xx answer. Usage: databrain-admin --help; docs/pipelines.md.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, usageError, type Transport } from './api.ts';
import { COMMANDS, type Command } from './commands.ts';
import { httpTransport } from './http.ts';
import { refuseSecretsInArgv, SecretReader } from './inputs.ts';

const SERVICE = 'databrain-admin-api';
/** A bug in the CLI itself (sysexits' EX_SOFTWARE), never an answer of the API. */
const EXIT_BUG = 70;
const MAX_STDIN_BYTES = 64 * 1024;

const WHERE: NonNullable<ParseArgsConfig['options']> = {
  url: { type: 'string' },
  stage: { type: 'string' },
  'function-name': { type: 'string' },
  endpoint: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const USAGE = `usage: databrain-admin <command> [options]

commands:
${Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(11)} ${command.summary}`).join('\n')}

where the API is (one of):
  --url <base URL>         over HTTPS (the stack's HttpApiUrl; plain http only to localhost)
                           env DATABRAIN_API_URL
  --stage <stage>          by direct invocation of ${SERVICE}-<stage>-<function> (AWS credentials
                           from the usual AWS_* variables or profile); env DATABRAIN_STAGE
  --function-name <name>   by direct invocation of this function (name or ARN)
  --endpoint <URL>         the Lambda endpoint for direct invocation, e.g. http://localhost:3002
                           for npm start; env AWS_ENDPOINT_URL_LAMBDA

Secrets (password, admin JWT, service tokens) come from the environment or stdin, never from the
command line. The result alone goes to stdout; errors go to stderr.

exit status: 0 success; 1 the API answered with an error (its code and message on stderr);
  2 usage (unknown option, missing input, a secret on the command line); 3 no usable answer
  (network, TLS, timeout, the Lambda invoke failed, an unexpected answer).

databrain-admin <command> --help shows a command's options.`;

function commandUsage(command: Command): string {
  return `usage: databrain-admin ${command.usage}\n\nWhere the API is (--url, --stage, --function-name, --endpoint) and the exit statuses: databrain-admin --help`;
}

async function where(values: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<Transport> {
  const flag = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  let url = flag('url');
  let stage = flag('stage');
  const functionName = flag('function-name');
  if (url !== undefined && (stage !== undefined || functionName !== undefined)) {
    throw usageError('--url (HTTPS) and --stage/--function-name (direct invocation) exclude each other');
  }
  if (url === undefined && stage === undefined && functionName === undefined) {
    url = env.DATABRAIN_API_URL || undefined;
    stage = env.DATABRAIN_STAGE || undefined;
    if (url !== undefined && stage !== undefined) {
      throw usageError('DATABRAIN_API_URL and DATABRAIN_STAGE are both set: choose one with --url or --stage');
    }
    if (url === undefined && stage === undefined) {
      throw usageError('where is the API? --url or DATABRAIN_API_URL (HTTPS), or --stage, --function-name or DATABRAIN_STAGE (direct invocation)');
    }
  }
  if (url !== undefined) {
    if (flag('endpoint') !== undefined) throw usageError('--endpoint is for direct invocation, not with --url');
    return httpTransport(url);
  }
  if (stage !== undefined && !/^[A-Za-z0-9-]+$/.test(stage)) throw usageError(`--stage may hold only letters, digits and hyphens, got '${stage}'`);
  // Loaded only here: the AWS SDK is not needed over HTTPS.
  const { invokeTransport } = await import('./invoke.ts');
  return invokeTransport({
    functionName: (key) => functionName ?? `${SERVICE}-${stage}-${key}`,
    endpoint: flag('endpoint') ?? (env.AWS_ENDPOINT_URL_LAMBDA || undefined),
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_STDIN_BYTES) throw usageError(`stdin holds more than ${MAX_STDIN_BYTES} bytes: expected one secret`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs one command line; answers what goes to stdout. */
async function main(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  refuseSecretsInArgv(args);
  const [name, ...rest] = args;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    if (name === undefined) throw usageError('no command (databrain-admin --help lists them)');
    return USAGE;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) throw usageError(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);

  let values: Record<string, string | boolean | undefined>;
  try {
    // No option is declared `multiple`, so every value is a string or a boolean.
    values = parseArgs({ args: rest, options: { ...WHERE, ...command.options }, strict: true, allowPositionals: false })
      .values as Record<string, string | boolean | undefined>;
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    // parseArgs quotes a stray argument; it may be a secret, so it is not repeated.
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw usageError(`${name} takes no arguments, only options (see ${name} --help)`);
    if (code?.startsWith('ERR_PARSE_ARGS_')) throw usageError(`${message} (see ${name} --help)`);
    throw error;
  }
  if (values.help) return commandUsage(command);

  const transport = await where(values, env);
  const secrets = new SecretReader(env, values, readStdin);
  return command.run({ values, env, secrets, transport });
}

try {
  const out = await main(process.argv.slice(2), process.env);
  if (out !== '') process.stdout.write(`${out}\n`);
} catch (error) {
  if (error instanceof CliError) {
    process.stderr.write(`databrain-admin: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`databrain-admin: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = EXIT_BUG;
  }
}
