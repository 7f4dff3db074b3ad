// databrain-admin: the admin and service-token calls for pipelines, failing loudly. The result alone
// on stdout (so `NEW=$(databrain-admin rotate …)` is safe), diagnostics on stderr, and a non-zero
// exit status for anything but a 2xx answer. Usage: databrain-admin --help; docs/pipelines.md.
import { parseArgs } from 'node:util';
import { CliError, usageError, type ApiCall } from './api.ts';
import { successBody } from './answers.ts';
import type { Command, Options, Values } from './command.ts';
import { COMMANDS, findCommand } from './commands/index.ts';
import { DoctorFindings } from './commands/doctor.ts';
import { refuseSecretsInArgv, SecretReader } from './inputs.ts';
import { locate, SERVICE } from './location.ts';
import { checkOutputFile, emit, emitError, masker, type Io } from './output.ts';
import { VERSION } from './version.ts';

/** A bug in the CLI itself (sysexits' EX_SOFTWARE), never an answer of the API. */
const EXIT_BUG = 70;
const MAX_STDIN_BYTES = 64 * 1024;

/** Every command takes these. */
const COMMON: Options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};
/** Where the API is (cli/location.ts). */
const WHERE: Options = {
  url: { type: 'string' },
  stage: { type: 'string' },
  'function-name': { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
};
const OUTPUT_FILE: Options = { 'output-file': { type: 'string' } };

const USAGE = `usage: databrain-admin <command> [options]
       databrain-admin --version

commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(11)} ${command.summary}`).join('\n')}

where the API is (one of):
  --url <base URL>         over HTTPS (the stack's HttpApiUrl; plain http only to localhost)
                           env DATABRAIN_API_URL
  --stage <stage>          by direct invocation of ${SERVICE}-<stage>-<function> (AWS credentials
                           from the usual AWS_* variables or profile); env DATABRAIN_STAGE
  --function-name <name>   by direct invocation of this function (name or ARN)
  --endpoint <URL>         the Lambda endpoint for direct invocation (https, or http to localhost,
                           e.g. http://localhost:3002 for npm start); env AWS_ENDPOINT_URL_LAMBDA
  --region <region>        the AWS region for direct invocation and the setup code (else AWS_REGION)

every command also takes:
  --json                   the result on stdout as JSON; a failure on stderr as {"error":{…}}
  --output-file <path>     (commands that print a new secret) write it to this file, mode 0600,
                           instead of stdout

Secrets (password, admin JWT, service tokens, setup code) come from the environment or stdin, never
from the command line. The result alone goes to stdout; errors go to stderr. Under GitHub Actions
(GITHUB_ACTIONS=true) every secret read or printed is masked first (::add-mask:: on stderr).

exit status: 0 success; 1 the API refused (its code and message on stderr); 2 usage (unknown
  option, missing input, a secret on the command line); 3 nothing that looks like this API answered
  (network, TLS, timeout, a failed AWS call, a wrong URL or stage).

databrain-admin <command> --help shows a command's options.`;

function commandUsage(command: Command): string {
  return `usage: databrain-admin ${command.usage}\n\nWhere the API is (--url, --stage, --function-name, --endpoint, --region), --json and the exit statuses: databrain-admin --help`;
}

export interface Streams extends Io {
  readStdin(): Promise<string>;
}

/** Runs one command line; answers the exit status. */
export async function run(args: string[], env: NodeJS.ProcessEnv, io: Streams): Promise<number> {
  const json = args.includes('--json');
  const mask = masker(env, io);
  try {
    refuseSecretsInArgv(args);
    const first = args[0];
    if (first === '--version' || first === '-v' || first === 'version') {
      io.stdout(json ? `${JSON.stringify({ version: VERSION })}\n` : `databrain-admin ${VERSION}\n`);
      return 0;
    }
    if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
      if (first === undefined) throw usageError('no command (databrain-admin --help lists them)');
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const found = findCommand(args);
    if (found === undefined) {
      throw usageError(`unknown command '${first.startsWith('-') ? first : first.slice(0, 40)}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    }
    const { command, words } = found;
    const values = parseOptions(command, args.slice(words));
    if (values.help) {
      io.stdout(`${commandUsage(command)}\n`);
      return 0;
    }
    const outputFile = typeof values['output-file'] === 'string' ? checkOutputFile(values['output-file']) : undefined;
    const location = await locate(values, env, command.reach);
    const secrets = new SecretReader(env, values, io.readStdin, mask);
    const call = async (request: ApiCall) => successBody(await location.transport(request), request, location.where);
    const result = await command.run({ values, env, secrets, location, call });
    emit(result, { json, outputFile, mask }, io);
    return 0;
  } catch (error) {
    if (error instanceof DoctorFindings) io.stdout(`${json ? JSON.stringify(error.json) : error.text}\n`);
    if (error instanceof CliError) {
      emitError(error, json, io);
      return error.exitCode;
    }
    io.stderr(`databrain-admin: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    return EXIT_BUG;
  }
}

function parseOptions(command: Command, args: string[]): Values {
  const options = { ...COMMON, ...WHERE, ...(command.printsSecret ? OUTPUT_FILE : {}), ...command.options };
  try {
    // No option is declared `multiple`, so every value is a string or a boolean.
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Values;
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    // parseArgs quotes a stray argument; it may be a secret, so it is not repeated.
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw usageError(`${command.name} takes no arguments, only options (see ${command.name} --help)`);
    if (code?.startsWith('ERR_PARSE_ARGS_')) throw usageError(`${message} (see ${command.name} --help)`);
    throw error;
  }
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

process.exitCode = await run(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin,
});
