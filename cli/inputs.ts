// Secrets come from the environment or stdin, never from the command line: arguments are visible
// to every user of the machine (ps, /proc/<pid>/cmdline) and land in shell history and CI logs.
import { usageError, type CredentialUse } from './api.ts';

export interface SecretSource {
  /** The environment variable that holds it. */
  env: string;
  /** The flag that says "read it from stdin" instead. */
  stdinFlag: string;
  what: string;
}

export const SECRETS = {
  password: { env: 'DATABRAIN_ADMIN_PASSWORD', stdinFlag: 'password-stdin', what: "the admin's password" },
  jwt: { env: 'DATABRAIN_ADMIN_JWT', stdinFlag: 'jwt-stdin', what: 'an admin JWT' },
  token: { env: 'DATABRAIN_SERVICE_TOKEN', stdinFlag: 'token-stdin', what: 'the current service token' },
  newToken: { env: 'DATABRAIN_NEW_SERVICE_TOKEN', stdinFlag: 'new-token-stdin', what: 'the new service token' },
  setupCode: { env: 'DATABRAIN_SETUP_CODE', stdinFlag: 'setup-code-stdin', what: "the stage's setup code" },
} satisfies Record<string, SecretSource>;

/** Flags someone might reach for to pass a secret, and where that secret goes instead. */
const SECRET_FLAGS: Record<string, SecretSource> = {
  password: SECRETS.password,
  'current-password': SECRETS.password,
  'new-password': SECRETS.password,
  jwt: SECRETS.jwt,
  'admin-jwt': SECRETS.jwt,
  'access-token': SECRETS.jwt,
  token: SECRETS.token,
  'service-token': SECRETS.token,
  key: SECRETS.token,
  'new-token': SECRETS.newToken,
  'new-key': SECRETS.newToken,
  'setup-code': SECRETS.setupCode,
  code: SECRETS.setupCode,
};

const UUID = /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/i;
const JWT = /eyJ[\w-]+\.[\w-]+\./;

/**
 * Refuses, before anything else is read, a command line that carries a secret: a secret-named flag
 * (`--password`, `--token=…`) or any argument shaped like a service token (a UUID) or a JWT. The
 * message names the argument by its position or flag, never by its value.
 */
export function refuseSecretsInArgv(args: readonly string[]): void {
  args.forEach((arg, index) => {
    const flag = /^--?([^=]+)/.exec(arg)?.[1]?.toLowerCase();
    const source = flag === undefined ? undefined : SECRET_FLAGS[flag];
    if (source) {
      throw usageError(`refusing --${flag}: secrets are never taken from the command line (visible in the process list `
        + `and shell history); set ${source.env} or pipe ${source.what} into --${source.stdinFlag}`);
    }
    const shape = JWT.test(arg) ? 'a JWT' : UUID.test(arg) ? 'a service token (a UUID)' : undefined;
    if (shape) {
      throw usageError(`refusing argument ${index + 1}: it looks like ${shape}, and secrets are never taken from the `
        + `command line (visible in the process list and shell history); use the environment or stdin (see --help)`);
    }
  });
}

/** Where a secret is read from, for messages: `DATABRAIN_ADMIN_JWT or --jwt-stdin`. */
export const sourceOf = (source: SecretSource): string => `${source.env} or --${source.stdinFlag}`;

/**
 * Reads one secret: from stdin when its --…-stdin flag is set, else from its environment variable.
 * Every value read is handed to `onRead` first (GitHub Actions masking, output.ts).
 */
export class SecretReader {
  readonly #env: NodeJS.ProcessEnv;
  readonly #flags: Record<string, unknown>;
  readonly #readStdin: () => Promise<string>;
  readonly #onRead: (secret: string) => void;

  constructor(env: NodeJS.ProcessEnv, flags: Record<string, unknown>, readStdin: () => Promise<string>, onRead: (secret: string) => void = () => {}) {
    this.#env = env;
    this.#flags = flags;
    this.#readStdin = readStdin;
    this.#onRead = onRead;
    const fromStdin = Object.values(SECRETS).filter((s) => flags[s.stdinFlag] === true).map((s) => `--${s.stdinFlag}`);
    if (fromStdin.length > 1) throw usageError(`only one secret can come from stdin, got ${fromStdin.join(' and ')}`);
  }

  /** The secret, or undefined when neither source has it. */
  async optional(source: SecretSource): Promise<string | undefined> {
    let value: string | undefined;
    if (this.#flags[source.stdinFlag] === true) {
      // One trailing line break is the pipe's (echo, a here-string), not the secret's.
      value = (await this.#readStdin()).replace(/\r?\n$/, '');
      if (value === '') throw usageError(`--${source.stdinFlag}: stdin is empty, expected ${source.what}`);
    } else {
      value = this.#env[source.env] || undefined;
    }
    if (value !== undefined) this.#onRead(value);
    return value;
  }

  async required(source: SecretSource): Promise<string> {
    const value = await this.optional(source);
    if (value === undefined) throw usageError(`needs ${source.what}: set ${source.env} or pipe it into --${source.stdinFlag}`);
    return value;
  }

  /** A credential for a call, naming where it came from. */
  async credential(source: SecretSource, kind: CredentialUse['kind']): Promise<CredentialUse> {
    return { kind, from: sourceOf(source), value: await this.required(source) };
  }

  async optionalCredential(source: SecretSource, kind: CredentialUse['kind']): Promise<CredentialUse | undefined> {
    const value = await this.optional(source);
    return value === undefined ? undefined : { kind, from: sourceOf(source), value };
  }
}
