// The admin console's first render under `npm start`, against Swagger UI's page in the same browser
// run (docs/performance.md, "Admin console"): each load in a fresh browser context (an empty cache,
// as a first visit), console and Swagger UI in turn, after one discarded load of each (the
// functions' and the docs server's own first requests). The console counts until its sign-in form
// (the Sign in button) is on screen; Swagger UI until its first operation is.
import type { Browser, Page } from 'playwright-core';
import { findChromium, launchChromium } from '../../test/support/chromium.ts';
import { startLocalStack } from '../../test/support/local-stack.ts';

export interface ConsoleRun {
  /** Milliseconds from navigation to the sign-in form, per load. */
  readonly console: number[];
  /** Milliseconds from navigation to Swagger UI's first rendered operation, per load. */
  readonly swaggerUi: number[];
}

async function timed(browser: Browser, url: string, rendered: (page: Page) => Promise<unknown>): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(url, { waitUntil: 'commit' });
    await rendered(page);
    return performance.now() - started;
  } finally {
    await context.close();
  }
}

/** `runs` loads of each; undefined without chromium. */
export async function measureConsole(runs: number): Promise<ConsoleRun | undefined> {
  const executable = findChromium();
  if (!executable) return undefined;
  const stack = await startLocalStack('bench');
  // Keeps the process alive while Playwright waits (its browser connection does not).
  const alive = setInterval(() => undefined, 1000);
  const browser = await launchChromium(executable);
  try {
    const consolePage = () => timed(browser, `${stack.api}/console`, (page) => page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 60_000 }));
    const swaggerUi = () => timed(browser, `${stack.docs}/`, (page) => page.locator('.opblock').first().waitFor({ timeout: 60_000 }));
    await consolePage();
    await swaggerUi();
    const result: ConsoleRun = { console: [], swaggerUi: [] };
    for (let run = 0; run < runs; run++) {
      result.console.push(await consolePage());
      result.swaggerUi.push(await swaggerUi());
    }
    return result;
  } finally {
    await browser.close();
    clearInterval(alive);
    await stack.stop();
  }
}
