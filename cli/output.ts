// What a command prints: its result alone on stdout (text, or JSON with --json), or a new secret
// written to a file (--output-file, mode 0600) instead; under GitHub Actions every secret is
// masked first; failures on stderr, as a line or (--json) a JSON object.
import { accessSync, constants, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError, EXIT, usageError } from './api.ts';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** What a command answers. */
export interface Result {
  /** stdout in text mode: one line, or JSON text (list, introspect). */
  readonly text: string;
  /** stdout with --json. */
  readonly json: unknown;
  /** A new secret in the result (a JWT, a service token): masked, and what --output-file writes. */
  readonly secret?: string;
}

/**
 * GitHub Actions reads workflow commands from a step's stdout and stderr alike; `::add-mask::`
 * makes it replace the value by `***` in the job log from then on. Written to stderr, so that
 * `NEW=$(databrain-admin rotate …)` captures the key alone.
 */
export function masker(env: NodeJS.ProcessEnv, io: Io): (secret: string) => void {
  if (env.GITHUB_ACTIONS !== 'true') return () => {};
  const masked = new Set<string>();
  return (secret) => {
    // One line per value: a command's value ends at the line's end.
    for (const line of secret.split(/\r?\n/)) {
      if (line.trim() === '' || masked.has(line)) continue;
      masked.add(line);
      io.stderr(`::add-mask::${line}\n`);
    }
  };
}

/**
 * Checked before the call: a rotation's new key must not be lost to a path that cannot be
 * written after the API has already made it the current one.
 */
export function checkOutputFile(raw: string): string {
  const path = resolve(raw);
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // Not there yet: its folder must be.
  }
  if (isDirectory) throw usageError(`--output-file ${raw} is a directory`);
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch {
    throw usageError(`--output-file ${raw}: its folder ${dirname(path)} does not exist or is not writable`);
  }
  return path;
}

/** Writes the secret and a line break to `path`, mode 0600, replacing it atomically (a new file, renamed over). */
function writeSecret(path: string, secret: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // never created
    }
    throw error;
  }
}

/** Prints a result: the secret masked first, then stdout (or the file). */
export function emit(result: Result, options: { json: boolean; outputFile: string | undefined; mask: (secret: string) => void }, io: Io): void {
  if (result.secret !== undefined) options.mask(result.secret);
  if (options.outputFile !== undefined && result.secret !== undefined) {
    try {
      writeSecret(options.outputFile, result.secret);
    } catch (error) {
      // The API has done its part (a rotation cannot be undone): the secret must not be lost.
      io.stdout(`${options.json ? JSON.stringify(result.json) : result.text}\n`);
      throw new CliError(`could not write ${options.outputFile} (${(error as Error).message}); the result was printed on stdout instead`, EXIT.usage);
    }
    if (options.json) io.stdout(`${JSON.stringify({ outputFile: options.outputFile })}\n`);
    return;
  }
  const out = options.json ? JSON.stringify(result.json) : result.text;
  if (out !== '') io.stdout(`${out}\n`);
}

/** A failure on stderr: `databrain-admin: <message>`, or with --json `{"error":{…}}`. */
export function emitError(error: CliError, json: boolean, io: Io): void {
  if (json) {
    io.stderr(`${JSON.stringify({ error: { message: error.message, exitCode: error.exitCode, ...error.detail } })}\n`);
  } else {
    io.stderr(`databrain-admin: ${error.message}\n`);
  }
}
