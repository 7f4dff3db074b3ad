// Every command, in the order --help lists them. A new group of commands (`data-app create`,
// `api-key rotate`, …) is a file beside these exporting its Command[], added here.
import type { Command } from '../command.ts';
import { ADMIN_COMMANDS } from './admin.ts';
import { DOCTOR } from './doctor.ts';
import { SERVICE_TOKEN_COMMANDS } from './service-token.ts';

export const COMMANDS: readonly Command[] = [...ADMIN_COMMANDS, ...SERVICE_TOKEN_COMMANDS, DOCTOR];

/** The command named by the first word, or the first two (`data-app create`); the words it took. */
export function findCommand(args: readonly string[]): { command: Command; words: number } | undefined {
  for (const words of [2, 1]) {
    if (args.length < words || args.slice(0, words).some((word) => word.startsWith('-'))) continue;
    const name = args.slice(0, words).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return { command, words };
  }
  return undefined;
}
