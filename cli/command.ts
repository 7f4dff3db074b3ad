// What a command is, and what it is given. A command is one file's entry in a list
// (cli/commands/): its name (one word, or a group and a verb: `data-app create`), its options, where
// it may reach the API, and run(), which reads its inputs, makes its calls and answers a Result.
import type { ParseArgsConfig } from 'node:util';
import type { ApiCall, Transport } from './api.ts';
import type { AwsTarget } from './aws.ts';
import type { SecretReader } from './inputs.ts';
import type { Result } from './output.ts';

export type { Result } from './output.ts';
export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | undefined>;

/**
 * Where a command may reach the API: `api`, over HTTPS (--url) or by direct invocation (--stage,
 * --function-name); `claim`, the same, and --stage may name the setup code's stage beside --url;
 * `invoke`, by direct invocation only (a function no route reaches).
 */
export type Reach = 'api' | 'claim' | 'invoke';

/** Where the API is, resolved from the options and the environment (cli/location.ts). */
export interface Location {
  readonly via: 'http' | 'invoke';
  /** For messages: the base URL (no credentials), or the function names' pattern. */
  readonly where: string;
  /** The stage, when the command line names one (--stage, DATABRAIN_STAGE). */
  readonly stage: string | undefined;
  /** For the AWS calls of direct invocation and of the setup code: region and Lambda endpoint. */
  readonly aws: AwsTarget;
  readonly transport: Transport;
}

export interface Context {
  readonly values: Values;
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: SecretReader;
  readonly location: Location;
  /** One call: its 2xx body, or the CliError that says what went wrong (cli/answers.ts). */
  call(request: ApiCall): Promise<Record<string, unknown>>;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The usage line(s) after `databrain-admin `, and what the command reads from where. */
  readonly usage: string;
  readonly options: Options;
  readonly reach: Reach;
  /** Its result is a new secret: it takes --output-file (mode 0600) instead of stdout. */
  readonly printsSecret?: boolean;
  run(context: Context): Promise<Result>;
}

/** `--<flag>` for each secret that may come from stdin. */
export const stdinFlags = (...secrets: { stdinFlag: string }[]): Options =>
  Object.fromEntries(secrets.map((secret) => [secret.stdinFlag, { type: 'boolean' as const }]));

export const flag = (values: Values, name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
