// One `npm start` per data folder: dynalite keeps its LevelDB there, and a second dynalite on the
// same folder fails with a bare `Error: Database is closed`. The lock is a file holding the pid of
// the `npm start` that owns the folder; a lock whose process is gone is stale and taken over.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'npm-start.pid';

export class DataFolderInUse extends Error {
  readonly dataDir: string;
  readonly pid: number | undefined;

  constructor(dataDir: string, pid: number | undefined) {
    super(`data folder ${dataDir} is in use by another npm start${pid === undefined ? '' : ` (pid ${pid})`}; `
      + 'stop it first, or set DATA_DIR to another folder');
    this.dataDir = dataDir;
    this.pid = pid;
  }
}

/** Whether `pid` is a running process (one we may not signal counts as running). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the data folder (which must exist) for this process, or throws DataFolderInUse. The lock
 * is released by `release()`, and in any case when this process exits.
 */
export function lockDataFolder(dataDir: string): { release(): void } {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      // 'wx': of two starts racing for the folder, exactly one creates the file.
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) {
        throw (error as NodeJS.ErrnoException).code === 'EEXIST' ? new DataFolderInUse(dataDir, readPid(file)) : error;
      }
    }
    let pid = readPid(file);
    if (pid === undefined) {
      // Created but not written yet by a start racing us, or garbage: look again shortly.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      pid = readPid(file);
    }
    if (pid !== undefined && alive(pid)) throw new DataFolderInUse(dataDir, pid);
    // Stale (its process is gone: killed, or the machine restarted) or unreadable: take it over.
    rmSync(file, { force: true });
  }
  const release = () => {
    process.removeListener('exit', release);
    if (readPid(file) === process.pid) rmSync(file, { force: true });
  };
  process.once('exit', release);
  return { release };
}
