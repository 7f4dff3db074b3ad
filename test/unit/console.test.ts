import { buildConsole, gzippedBytes } from '../../scripts/console.ts';
import { claimModeFrom, consoleSite, CONTENT_SECURITY_POLICY, renderPage, requestPath, type ConsoleAssets } from '../../lib/console/site.ts';

/*
 * The admin console's build and the pages the console function serves (the production bundle over
 * API Gateway events: test/integration/console.test.ts; in a browser: test/e2e/console.test.ts).
 */

const BUDGET_BYTES = 60_000;

let withoutDataApps: ConsoleAssets;
let withDataApps: ConsoleAssets;
beforeAll(async () => {
  [withoutDataApps, withDataApps] = await Promise.all([buildConsole({ dataApps: false }), buildConsole({ dataApps: true })]);
}, 60_000);

const gzipped = (assets: ConsoleAssets) => gzippedBytes(assets.files[assets.script]!.body) + gzippedBytes(assets.files[assets.stylesheet]!.body);

describe('the console build', () => {
  it('keeps the page\'s JS + CSS within 60 KB gzip, with the Data Apps view and without', () => {
    for (const assets of [withoutDataApps, withDataApps]) {
      expect(Object.keys(assets.files).sort()).toEqual([assets.script, assets.stylesheet].sort());
      expect(gzipped(assets)).toBeLessThanOrEqual(BUDGET_BYTES);
    }
    // The control: the Data Apps view is in the one build and not in the other.
    expect(gzipped(withDataApps)).toBeGreaterThan(gzipped(withoutDataApps));
    expect(withDataApps.files[withDataApps.script]!.body).toContain('/api/v2/data-app');
    expect(withoutDataApps.files[withoutDataApps.script]!.body).not.toContain('/api/v2/data-app');
  });

  it('names each asset after a hash of its content: the same source builds the same names, other content other names', async () => {
    expect(withoutDataApps.script).toMatch(/^assets\/console-[A-Z0-9]{8}\.js$/);
    expect(withoutDataApps.stylesheet).toMatch(/^assets\/console-[A-Z0-9]{8}\.css$/);
    expect((await buildConsole({ dataApps: false })).script).toBe(withoutDataApps.script);
    expect(withDataApps.script).not.toBe(withoutDataApps.script);
  }, 60_000);

  it('loads nothing from another origin: no URL to elsewhere in the script or the stylesheet', () => {
    for (const { body } of Object.values(withDataApps.files)) {
      // Preact names the SVG and MathML namespaces (http://www.w3.org/…): identifiers, never fetched.
      const urls = (body.match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi) ?? []).filter((url) => url !== 'http://www.w3.org');
      expect(urls).toEqual([]);
      expect(body).not.toMatch(/@import|url\(/);
    }
  });
});

describe('the page', () => {
  it('names the claim mode in a meta element and loads one script and one stylesheet, no inline script or style', () => {
    const html = renderPage(withoutDataApps, 'setupCode');
    expect(html).toContain('<meta name="claim-mode" content="setupCode">');
    expect(html).toContain(`<script type="module" src="/console/${withoutDataApps.script}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="/console/${withoutDataApps.stylesheet}">`);
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });

  it('is answered at /console and /console/; assets by exact name; anything else 404 as API Gateway answers an unknown route', () => {
    const site = consoleSite(withoutDataApps, 'open');
    expect(site('/console').statusCode).toBe(200);
    expect(site('/console/').body).toBe(site('/console').body);
    expect(site(`/console/${withoutDataApps.script}`).body).toBe(withoutDataApps.files[withoutDataApps.script]!.body);
    for (const path of ['/console/assets/', '/console/assets/console.js', '/console/constructor', '/console/__proto__', '/consolex', '/']) {
      const answer = site(path);
      expect({ path, status: answer.statusCode, body: answer.body }).toEqual({ path, status: 404, body: '{"message":"Not Found"}' });
      expect(answer.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('reads the request path of HTTP API and REST API events; a direct invocation gets the page', () => {
    expect(requestPath({ version: '2.0', rawPath: '/console/assets/x.js' })).toBe('/console/assets/x.js');
    expect(requestPath({ httpMethod: 'GET', path: '/console' })).toBe('/console');
    expect(requestPath({})).toBe('/console');
    expect(requestPath(undefined)).toBe('/console');
  });
});

describe('CLAIM_MODE', () => {
  it('is the deployment\'s claim mode, `open` when unset or empty', () => {
    expect(claimModeFrom({})).toBe('open');
    expect(claimModeFrom({ CLAIM_MODE: '' })).toBe('open');
    for (const mode of ['setupCode', 'iam', 'open'] as const) expect(claimModeFrom({ CLAIM_MODE: mode })).toBe(mode);
  });

  it('refuses any other value (the function fails at cold start)', () => {
    expect(() => claimModeFrom({ CLAIM_MODE: 'setupcode' })).toThrow("CLAIM_MODE must be one of setupCode, iam, open, got 'setupcode'");
  });
});
