import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFolderInUse, LOCK_FILE, lockDataFolder } from '../../scripts/data-folder-lock.ts';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'lock-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  return pid!;
}

describe('the data folder lock of npm start', () => {
  it('holds the owner\'s pid and refuses a second owner, naming the folder and the pid', () => {
    const lock = lockDataFolder(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    expect(() => lockDataFolder(dir)).toThrow(new DataFolderInUse(dir, process.pid));
    expect(new DataFolderInUse(dir, process.pid).message)
      .toBe(`data folder ${dir} is in use by another npm start (pid ${process.pid}); stop it first, or set DATA_DIR to another folder`);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataFolder(dir).release();
  });

  it('takes over a stale lock, whose process is gone', () => {
    writeFileSync(join(dir, LOCK_FILE), `${deadPid()}\n`);
    const lock = lockDataFolder(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });

  it('takes over an unreadable lock', () => {
    writeFileSync(join(dir, LOCK_FILE), 'garbage');
    lockDataFolder(dir).release();
  });

  it('release leaves a lock that another process took over alone', () => {
    const lock = lockDataFolder(dir);
    writeFileSync(join(dir, LOCK_FILE), '1\n');
    lock.release();
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe('1\n');
  });
});
