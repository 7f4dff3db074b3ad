import { spawnSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/*
 * A real browser for the end-to-end suites: Debian's chromium, driven by Playwright (playwright-core,
 * which downloads no browser of its own). Without chromium the browser tests are skipped, loudly, and
 * counted as skipped by `npm test`.
 */

/** No sandbox (CI runs as root), nothing fetched behind the page's back (updates, sync, field trials). */
export const HEADLESS_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** $CHROMIUM if set, else the first of /usr/bin/chromium, chromium, chromium-browser that runs; undefined if none does. */
export function findChromium(): string | undefined {
  const candidates = process.env.CHROMIUM ? [process.env.CHROMIUM] : ['/usr/bin/chromium', 'chromium', 'chromium-browser'];
  return candidates.find((command) => {
    const { status, stdout } = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    return status === 0 && /chrom/i.test(stdout);
  });
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: HEADLESS_FLAGS, timeout: 60_000 });
}

/**
 * `it` where chromium runs, else `it.skip` after a loud notice naming `what` (each skipped test is
 * counted as skipped in `npm test`'s closing line).
 */
export function browserTest(what: string): { executable: string | undefined; inBrowser: jest.It } {
  const executable = findChromium();
  if (!executable) {
    const line = '!'.repeat(78);
    const missing = process.env.CHROMIUM ? `$CHROMIUM (${process.env.CHROMIUM}) does not run` : 'no chromium on the PATH';
    console.warn(`${line}\n!! SKIPPED: ${what} in a real browser — ${missing}.\n`
      + `!! Install Debian's chromium (apt-get install -y chromium; .ci/run does) to run it.\n${line}`);
  }
  return { executable, inBrowser: executable ? it : it.skip };
}
