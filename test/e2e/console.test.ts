import { AxeBuilder } from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { dataAppRoutesDeployed } from '../../scripts/console.ts';
import { CONTENT_SECURITY_POLICY } from '../../lib/console/site.ts';
import { browserTest, launchChromium } from '../support/chromium.ts';
import { startLocalStack, type LocalStack } from '../support/local-stack.ts';

/*
 * The admin console (docs/design.md#the-admin-console) against the real local stack (`npm start`),
 * in Debian's chromium driven by Playwright, found the way assistive technology finds it: by role
 * and accessible name. Each flow runs in a fresh browser context (a fresh page memory, as after a
 * reload). Every request, console line and stored value of every page is recorded, and the last
 * tests check that none went to another origin and none holds a secret.
 *
 * SCREENSHOTS=1 writes a picture of each view to docs/console/ (docs/testing.md#screenshots).
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOT_DIR = join(root, 'docs', 'console');

const admin = { firstName: 'Ada', email: 'ada@example.com', password: 'Str0ng!Passw0rd', companyName: 'Acme' };
/** The password after the out-of-band reset (the 401 test), then after the console's own reset. */
const passwords = { second: 'S3cond!Passw0rd', third: 'Th1rd!Passw0rd' };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let stack: LocalStack;
let api: string;
let browser: Browser | undefined;
const { executable, inBrowser } = browserTest('the admin console');

/** Every request any page made, every console line, and every secret the API answered or the test typed. */
const requests: string[] = [];
const consoleLines: string[] = [];
const secrets = new Set<string>([admin.password, passwords.second, passwords.third]);
const contexts: BrowserContext[] = [];
const pages: Page[] = [];

beforeAll(async () => {
  stack = await startLocalStack('console');
  api = stack.api;
  if (executable) browser = await launchChromium(executable);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 60_000);

/** The console in a fresh context, every request, console line and answered secret recorded. */
async function open(options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser!.newContext({ viewport: { width: 1100, height: 900 }, ...options });
  // Playwright's waits (30 s by default) are bounds, not the behaviour under test: under npm start
  // on a loaded 2-core machine a function's first request in a worker can take tens of seconds.
  context.setDefaultTimeout(90_000);
  contexts.push(context);
  const page = await context.newPage();
  pages.push(page);
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => consoleLines.push(message.text()));
  page.on('pageerror', (error) => consoleLines.push(`uncaught: ${error.message}`));
  page.on('response', async (response) => {
    if (!response.url().startsWith(`${api}/api/`) || !response.ok()) return;
    const body = await response.json().catch(() => undefined) as { key?: string; data?: { accessToken?: string } } | undefined;
    if (body?.key) secrets.add(body.key);
    if (body?.data?.accessToken) secrets.add(body.data.accessToken);
  });
  return page;
}

async function goToConsole(page: Page): Promise<void> {
  await page.goto(`${api}/console`);
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
}

async function signIn(page: Page, password: string, email = admin.email): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const heading = (page: Page, name: string) => page.getByRole('heading', { name, level: 1 });
const alert = (page: Page) => page.getByRole('alert');
const visible = async (locator: Locator) => { await locator.waitFor(); return locator; };

/** POST to the API from the test itself (not the browser). */
const post = async (path: string, body: unknown, jwt?: string) => fetch(`${api}${path}`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...(jwt ? { Authorization: `Bearer ${jwt}` } : {}) },
  body: JSON.stringify(body),
});
const adminJwt = async (password: string): Promise<string> => {
  const response = await post('/api/v2/admin-account/jwt', { email: admin.email, password });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { accessToken: string } }).data.accessToken;
};
/** What the service-token authorizer says of `token`, through the introspection route. */
const introspect = (token: string) => fetch(`${api}/api/v2/service-token`, { headers: { Authorization: `Bearer ${token}` } });

async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

/** axe-core's serious and critical violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
}

/** Nothing kept by the page: no storage, no cookie, the URL as it was loaded. */
async function expectNothingKept(page: Page): Promise<void> {
  const kept = await page.evaluate('({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie, url: location.href })');
  expect(kept).toEqual({ local: 0, session: 0, cookie: '', url: `${api}/console` });
  expect(await page.context().cookies()).toEqual([]);
}

/** Whether the page shows `secret`, as text or as the value of a field. */
const holds = (page: Page, secret: string): Promise<boolean> => page.evaluate(`document.body.innerText.includes(${JSON.stringify(secret)})
  || [...document.querySelectorAll('input')].some((input) => input.value === ${JSON.stringify(secret)})`) as Promise<boolean>;

const isFocused = (locator: Locator): Promise<boolean> => locator.evaluate((element: any) => element === element.ownerDocument.activeElement);

/** Presses Tab (or Shift+Tab) until `locator` has the focus; fails after `limit` presses. */
async function tabTo(page: Page, locator: Locator, limit = 25, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  for (let presses = 0; presses < limit; presses++) {
    if (await isFocused(locator)) return;
    await page.keyboard.press(key);
  }
  if (!(await isFocused(locator))) throw new Error(`${limit} presses of ${key} never reached ${locator}`);
}

describe('the console page over HTTP', () => {
  it('is served at /console on the API port: HTML, no-store, the CSP and the other security headers, the claim mode in a meta element', async () => {
    const response = await fetch(`${api}/console`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await response.text();
    // `npm start` claims in `open` mode (the vendor's behaviour).
    expect(html).toContain('<meta name="claim-mode" content="open">');
    // No inline script or style for the CSP to refuse: one script and one stylesheet, by URL, on this origin.
    expect([...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag)).toEqual([expect.stringMatching(/^<script type="module" src="\/console\/assets\/console-[A-Z0-9]+\.js">$/)]);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });

  it('serves its assets under content-hashed names, cached for good, with the same headers; anything else under /console is 404', async () => {
    const html = await (await fetch(`${api}/console`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map(([, path]) => path!);
    expect(assets).toEqual([expect.stringMatching(/\.css$/), expect.stringMatching(/\.js$/)]);
    for (const path of assets) {
      const response = await fetch(`${api}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(path.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    for (const path of ['/console/assets/console-NOTAHASH.js', '/console/index.html', '/console/../serverless.yml']) {
      const response = await fetch(`${api}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
  });
});

describe('the console in a real browser', () => {
  inBrowser('claims the instance in open mode (First name, Email, Password, Company); a refusal shows the API\'s own message', async () => {
    const page = await open();
    await goToConsole(page);
    await screenshot(page, 'sign-in');
    await page.getByRole('button', { name: 'Claim this instance' }).click();
    await visible(heading(page, 'Claim this instance'));
    // Open mode: no setup code asked.
    expect(await page.getByLabel('Setup code').count()).toBe(0);
    await page.getByLabel('First name').fill(admin.firstName);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill('weakpassword1!');
    await page.getByLabel('Company').fill(admin.companyName);
    await page.getByRole('button', { name: 'Create admin account' }).click();
    expect(await (await visible(alert(page))).textContent()).toBe('"password" should contain at least 1 uppercase character');
    await screenshot(page, 'claim');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await visible(heading(page, 'Service tokens'));
    await expectNothingKept(page);
  }, 240_000);

  inBrowser('a second claim shows the API\'s refusal', async () => {
    const page = await open();
    await goToConsole(page);
    await page.getByRole('button', { name: 'Claim this instance' }).click();
    await page.getByLabel('First name').fill('Eve');
    await page.getByLabel('Email').fill('eve@example.com');
    await page.getByLabel('Password').fill(admin.password);
    await page.getByLabel('Company').fill('Evil');
    await page.getByRole('button', { name: 'Create admin account' }).click();
    expect(await (await visible(alert(page))).textContent()).toBe('Your company account is already created, please sign in');
    await page.getByRole('button', { name: 'Back to sign in' }).click();
    await visible(heading(page, 'Sign in'));
  }, 240_000);

  inBrowser('offers the claim in the deployment\'s mode: a Setup code field sent as X-Setup-Code, or the bootstrap command', async () => {
    // The serving function writes the mode into the page (integration test of the handler); here
    // the page is given each mode as the function would write it, and the API is the real one.
    const withMode = async (mode: string) => {
      const page = await open();
      await page.route(`${api}/console`, async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, body: (await response.text()).replace('content="open"', `content="${mode}"`) });
      });
      await goToConsole(page);
      await page.getByRole('button', { name: 'Claim this instance' }).click();
      await visible(heading(page, 'Claim this instance'));
      return page;
    };
    const setupCode = await withMode('setupCode');
    await setupCode.getByLabel('Setup code').fill('the-setup-code');
    await setupCode.getByLabel('First name').fill('Eve');
    await setupCode.getByLabel('Email').fill('eve@example.com');
    await setupCode.getByLabel('Password').fill(admin.password);
    await setupCode.getByLabel('Company').fill('Evil');
    const [claim] = await Promise.all([
      setupCode.waitForRequest(`${api}/api/v2/admin-account`),
      setupCode.getByRole('button', { name: 'Create admin account' }).click(),
    ]);
    expect(claim.headers()['x-setup-code']).toBe('the-setup-code');
    expect(claim.postDataJSON()).toEqual({ firstName: 'Eve', email: 'eve@example.com', password: admin.password, companyName: 'Evil' });
    // The API's own answer (npm start claims in open mode, and the instance is claimed).
    expect(await (await visible(alert(setupCode))).textContent()).toBe('Your company account is already created, please sign in');
    expect(await seriousViolations(setupCode)).toEqual([]);

    const iam = await withMode('iam');
    expect(await iam.locator('main code').textContent()).toBe('npm exec databrain-admin -- bootstrap --stage <stage>');
    expect(await iam.getByRole('textbox').count()).toBe(0);
    expect(await iam.getByRole('button', { name: 'Create admin account' }).count()).toBe(0);
    expect(await seriousViolations(iam)).toEqual([]);
  }, 240_000);

  inBrowser('sign-in: a wrong password shows "Invalid credentials"; the right one opens Service tokens', async () => {
    const page = await open();
    await goToConsole(page);
    await signIn(page, 'Wr0ng!Passw0rd');
    expect(await (await visible(alert(page))).textContent()).toBe('Invalid credentials');
    expect(await seriousViolations(page)).toEqual([]);
    await signIn(page, admin.password);
    await visible(heading(page, 'Service tokens'));
    expect(await page.getByText('No valid service token').count()).toBe(1);
    await expectNothingKept(page);
  }, 240_000);

  inBrowser('sign-in lock-out: the 429 shows the API\'s message and the wait from Retry-After', async () => {
    const page = await open();
    await goToConsole(page);
    const attempt = async () => {
      const [response] = await Promise.all([
        page.waitForResponse(`${api}/api/v2/admin-account/jwt`),
        signIn(page, 'Wr0ng!Passw0rd', 'locked-out@example.com'),
      ]);
      await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':enabled')).waitFor();
      return response;
    };
    for (let failure = 1; failure <= 5; failure++) expect((await attempt()).status()).toBe(400);
    const locked = await attempt();
    expect(locked.status()).toBe(429);
    const retryAfter = Number(locked.headers()['retry-after']);
    expect(retryAfter).toBeGreaterThan(60);
    const { error } = await locked.json() as { error: { message: string } };
    expect(await alert(page).textContent()).toBe(`${error.message} Try again in ${Math.ceil(retryAfter / 60)} minutes.`);
  }, 300_000);

  inBrowser('service tokens: create shows the value once with Copy; the list shows id, status, creation, expiry and last use', async () => {
    const page = await open();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api });
    await goToConsole(page);
    await signIn(page, admin.password);
    await visible(heading(page, 'Service tokens'));
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = await visible(page.getByRole('textbox', { name: 'New service token' }));
    const token = await shown.inputValue();
    expect(token).toMatch(UUID_V4);
    await page.getByRole('button', { name: 'Copy' }).click();
    await visible(page.getByText('Copied to the clipboard.'));
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(token);

    // The token works, and the list names it by its id, never its value.
    const introspected = await introspect(token);
    expect(introspected.status).toBe(200);
    const { data } = await introspected.json() as { data: { id: string } };
    const row = page.getByRole('row').filter({ hasText: data.id });
    await visible(row);
    expect(await row.getByRole('cell').allTextContents()).toEqual([data.id, 'Current', expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/), 'Never (current)', 'Never', 'Revoke']);
    expect(await holds(page, token)).toBe(true);
    await screenshot(page, 'service-tokens');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByRole('textbox', { name: 'New service token' }).count()).toBe(0);
    expect(await holds(page, token)).toBe(false);

    // Its use shows as last use once the list is read again.
    await page.getByRole('link', { name: 'Password' }).click();
    await page.getByRole('link', { name: 'Service tokens' }).click();
    await visible(row);
    expect(await row.getByRole('cell').nth(4).textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    await expectNothingKept(page);
  }, 240_000);

  inBrowser('rotate with a grace period, end every grace period, revoke one; refusals show the API\'s message', async () => {
    const page = await open();
    await goToConsole(page);
    await signIn(page, admin.password);
    await visible(heading(page, 'Service tokens'));
    // Replacing existing tokens asks first.
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('button', { name: 'Create and revoke the others' }).click();
    const first = await (await visible(page.getByRole('textbox', { name: 'New service token' }))).inputValue();
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByRole('row').count()).toBe(2); // the header and the one token

    // A token that is not the current one: the API's refusal.
    await page.getByLabel('Current token', { exact: true }).fill(crypto.randomUUID());
    await page.getByRole('button', { name: 'Rotate token' }).click();
    expect(await (await visible(alert(page))).textContent()).toBe('Invalid Service Token');

    await page.getByLabel('Current token', { exact: true }).fill(first);
    await page.getByLabel('Grace period', { exact: true }).selectOption({ label: '24 hours' });
    await page.getByRole('button', { name: 'Rotate token' }).click();
    const second = await (await visible(page.getByRole('textbox', { name: 'New service token' }))).inputValue();
    expect(second).toMatch(UUID_V4);
    expect(second).not.toBe(first);
    expect(await page.getByLabel('Current token', { exact: true }).inputValue()).toBe('');
    await visible(page.getByRole('row').filter({ hasText: 'Grace period' }));
    expect((await introspect(first)).status).toBe(200);
    expect((await introspect(second)).status).toBe(200);
    await page.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('button', { name: 'End every grace period' }).click();
    await screenshot(page, 'service-tokens-confirm');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'End grace periods' }).click();
    await visible(page.getByText(/^Ended the grace period of st_/));
    expect((await introspect(first)).status).toBe(403);
    expect((await introspect(second)).status).toBe(200);
    expect(await page.getByRole('row').filter({ hasText: 'Grace period' }).count()).toBe(0);

    const current = page.getByRole('row').filter({ hasText: 'Current' });
    const id = (await current.getByRole('cell').first().textContent())!;
    await current.getByRole('button', { name: `Revoke ${id}` }).click();
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await visible(page.getByText(`Revoked ${id}.`));
    await visible(page.getByText('No valid service token'));
    expect((await introspect(second)).status).toBe(403);
    await expectNothingKept(page);
  }, 300_000);

  inBrowser('an expired admin JWT returns to sign-in at its expiry', async () => {
    const page = await open();
    await page.clock.install();
    await goToConsole(page);
    await signIn(page, admin.password);
    await visible(heading(page, 'Service tokens'));
    // Past the JWT's lifetime (an hour under npm start): no request needed to notice.
    await page.clock.fastForward('02:00:00');
    await visible(heading(page, 'Sign in'));
    await visible(page.getByText('Your session has ended: the admin JWT expired or was revoked. Sign in again.'));
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  }, 240_000);

  inBrowser('a JWT the API refuses (401: revoked by a password reset elsewhere) returns to sign-in', async () => {
    const page = await open();
    await goToConsole(page);
    await signIn(page, admin.password);
    await visible(heading(page, 'Service tokens'));
    // Out of band: the password is reset with another JWT, which revokes every JWT issued before.
    const other = await adminJwt(admin.password);
    expect((await post('/api/v2/service-token/reset-password', { currentPassword: admin.password, password: passwords.second }, other)).status).toBe(200);
    // The next call the console makes gets 401.
    await page.getByRole('link', { name: 'Password' }).click();
    await page.getByRole('link', { name: 'Service tokens' }).click();
    await visible(heading(page, 'Sign in'));
    await visible(page.getByText('Your session has ended: the admin JWT expired or was revoked. Sign in again.'));
  }, 240_000);

  inBrowser('password reset: a wrong current password shows the API\'s message; success signs out everywhere', async () => {
    const page = await open();
    await goToConsole(page);
    await signIn(page, passwords.second);
    await visible(heading(page, 'Service tokens'));
    await page.getByRole('link', { name: 'Password' }).click();
    await visible(heading(page, 'Reset password'));
    await page.getByLabel('Current password', { exact: true }).fill('Wr0ng!Passw0rd');
    await page.getByLabel('New password', { exact: true }).fill(passwords.third);
    await page.getByRole('button', { name: 'Reset password' }).click();
    expect(await (await visible(alert(page))).textContent()).toBe('The current password is not correct!');
    await screenshot(page, 'password');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Current password', { exact: true }).fill(passwords.second);
    await page.getByRole('button', { name: 'Reset password' }).click();
    await visible(heading(page, 'Sign in'));
    await visible(page.getByText(/^Your password is changed/));
    await signIn(page, passwords.third);
    await visible(heading(page, 'Service tokens'));
    await expectNothingKept(page);
  }, 240_000);

  inBrowser('sign out returns to sign-in; the console keeps nothing', async () => {
    const page = await open();
    await goToConsole(page);
    await signIn(page, passwords.third);
    await visible(heading(page, 'Service tokens'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await visible(heading(page, 'Sign in'));
    await visible(page.getByText('You are signed out.'));
    expect(await page.getByRole('navigation').count()).toBe(0);
    await expectNothingKept(page);
  }, 240_000);

  inBrowser('works by keyboard alone: sign in, move between views, create a token, sign out', async () => {
    const page = await open();
    await goToConsole(page);
    await tabTo(page, page.getByLabel('Email'));
    await page.keyboard.type(admin.email);
    await page.keyboard.press('Tab');
    expect(await isFocused(page.getByLabel('Password'))).toBe(true);
    await page.keyboard.type(passwords.third);
    await page.keyboard.press('Enter');
    // Each view's heading takes the focus when it opens.
    await visible(heading(page, 'Service tokens'));
    expect(await isFocused(heading(page, 'Service tokens'))).toBe(true);

    await tabTo(page, page.getByRole('link', { name: 'Password' }));
    await page.keyboard.press('Enter');
    await visible(heading(page, 'Reset password'));
    expect(await isFocused(heading(page, 'Reset password'))).toBe(true);
    await tabTo(page, page.getByRole('link', { name: 'Service tokens' }), 10, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await visible(heading(page, 'Service tokens'));

    await tabTo(page, page.getByRole('button', { name: 'Create token' }));
    await page.keyboard.press('Enter');
    await visible(page.getByRole('textbox', { name: 'New service token' }));
    // The shown-once value takes the focus (its heading), and Done is reached from there.
    await tabTo(page, page.getByRole('button', { name: 'Done' }));
    await page.keyboard.press('Enter');
    expect(await page.getByRole('textbox', { name: 'New service token' }).count()).toBe(0);

    await tabTo(page, page.getByRole('button', { name: 'Sign out' }), 40);
    await page.keyboard.press('Enter');
    await visible(heading(page, 'Sign in'));
  }, 240_000);

  inBrowser('fits a 360 px wide screen: no view scrolls sideways', async () => {
    const page = await open({ viewport: { width: 360, height: 780 } });
    const scrollsSideways = () => page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth');
    await goToConsole(page);
    expect(await scrollsSideways()).toBe(false);
    await page.getByRole('button', { name: 'Claim this instance' }).click();
    await visible(heading(page, 'Claim this instance'));
    expect(await scrollsSideways()).toBe(false);
    await page.getByRole('button', { name: 'Back to sign in' }).click();
    await signIn(page, passwords.third);
    await visible(heading(page, 'Service tokens'));
    // A token listed, and the token as shown once: the widest content there is.
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('button', { name: 'Create and revoke the others' }).click();
    await visible(page.getByRole('textbox', { name: 'New service token' }));
    await visible(page.getByRole('button', { name: /^Revoke st_/ }));
    expect(await scrollsSideways()).toBe(false);
    await screenshot(page, 'service-tokens-360px');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Password' }).click();
    await visible(heading(page, 'Reset password'));
    expect(await scrollsSideways()).toBe(false);
  }, 240_000);

  describe('Data Apps', () => {
    const deployed = dataAppRoutesDeployed();
    if (!deployed) {
      console.warn('The Data Apps view is built only when serverless.yml routes GET /api/v2/data-app: its browser test is skipped until then.');
    }
    const withDataApps = deployed ? inBrowser : it.skip;

    withDataApps('lists, creates, renames and deletes (confirmed by typing the name) Data Apps; per app creates (shown once), lists, rotates and revokes API keys', async () => {
      const page = await open();
      await goToConsole(page);
      await signIn(page, passwords.third);
      await page.getByRole('link', { name: 'Data Apps' }).click();
      await visible(heading(page, 'Data Apps'));
      await page.getByLabel('Name', { exact: true }).fill('Sales dashboards');
      await page.getByRole('button', { name: 'Create Data App' }).click();
      await visible(page.getByText('Created Sales dashboards.'));
      await page.getByRole('button', { name: 'Open Sales dashboards' }).click();
      await visible(page.getByRole('heading', { name: 'Sales dashboards', level: 2 }));

      await page.getByLabel('Key name', { exact: true }).fill('embed');
      await page.getByRole('button', { name: 'Create API key' }).click();
      const key = await (await visible(page.getByRole('textbox', { name: 'New API key' }))).inputValue();
      expect(key).toMatch(UUID_V4);
      const row = page.getByRole('row').filter({ hasText: 'embed' });
      await visible(row);
      expect(await row.textContent()).toContain(`…${key.slice(-4)}`);
      expect(await row.textContent()).not.toContain(key);
      await screenshot(page, 'data-apps');
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Done' }).click();

      await page.getByLabel('API key', { exact: true }).fill(key);
      await page.getByRole('button', { name: 'Rotate API key' }).click();
      const rotated = await (await visible(page.getByRole('textbox', { name: 'New API key' }))).inputValue();
      expect(rotated).not.toBe(key);
      await visible(page.getByRole('row').filter({ hasText: 'Grace period' }));
      await page.getByRole('button', { name: 'Done' }).click();

      const graceRow = page.getByRole('row').filter({ hasText: 'Grace period' });
      await graceRow.getByRole('button', { name: /^Revoke embed/ }).click();
      await page.getByRole('button', { name: 'Revoke API key' }).click();
      await visible(page.getByText(/^Revoked dak_/));

      await page.getByLabel('New name', { exact: true }).fill('Sales');
      await page.getByRole('button', { name: 'Rename Data App' }).click();
      await visible(page.getByText('Renamed Sales dashboards to Sales.'));
      const remove = page.getByRole('button', { name: 'Delete Data App' });
      expect(await remove.isDisabled()).toBe(true);
      await page.getByLabel('Type Sales to confirm').fill('Sales');
      await remove.click();
      await visible(page.getByText('Deleted Sales and every one of its API keys.'));
      await visible(page.getByText('No Data App yet'));
      await expectNothingKept(page);
    }, 300_000);
  });

  inBrowser('made no request to another origin, and wrote no secret to the console log', () => {
    expect(pages.length).toBeGreaterThan(5);
    expect(requests.filter((url) => !url.startsWith(`${api}/`) && !url.startsWith('data:'))).toEqual([]);
    // The control: the console did call the API, and secrets were answered and typed.
    expect(requests).toContain(`${api}/api/v2/service-tokens`);
    expect(secrets.size).toBeGreaterThan(5);
    for (const secret of secrets) {
      expect(consoleLines.filter((line) => line.includes(secret))).toEqual([]);
    }
    expect(consoleLines.filter((line) => line.startsWith('uncaught:'))).toEqual([]);
  });
});
