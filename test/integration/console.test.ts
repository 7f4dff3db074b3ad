import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle, type BuiltBundle } from '../../scripts/bundles.ts';
import { ASSET_CACHE_CONTROL, CONTENT_SECURITY_POLICY } from '../../lib/console/site.ts';

/*
 * The console function's production bundle (handlers/console.ts with its assets built in, as
 * serverless-esbuild builds it), loaded in a Node process of its own with the environment Lambda
 * gives it, and invoked with API Gateway (HTTP API, payload 2.0) events.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let bundle: BuiltBundle;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-bundle-'));
  bundle = await buildBundle('console', join(root, 'handlers', 'console.ts'), dir);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const httpApiEvent = (rawPath: string) => ({
  version: '2.0',
  routeKey: rawPath === '/console' ? 'GET /console' : 'GET /console/{proxy+}',
  rawPath,
  rawQueryString: '',
  headers: { accept: 'text/html' },
  requestContext: { http: { method: 'GET', path: rawPath, sourceIp: '203.0.113.9', userAgent: 'test' }, requestId: 'r-1' },
  isBase64Encoded: false,
});

/** Loads the bundle with `env` (a cold start) and answers each event in turn. */
function invoke(env: Record<string, string>, events: unknown[]): { answers: Answer[]; stderr: string; status: number | null } {
  const child = spawnSync(process.execPath, ['-e', `
    const { handler } = require(${JSON.stringify(bundle.file)});
    (async () => {
      const answers = [];
      for (const event of ${JSON.stringify(events)}) answers.push(await handler(event, {}));
      process.stdout.write(JSON.stringify(answers));
    })();
  `], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  return { answers: child.stdout ? JSON.parse(child.stdout) as Answer[] : [], stderr: child.stderr, status: child.status };
}

const metaOf = (html: string) => /<meta name="claim-mode" content="([^"]*)">/.exec(html)?.[1];

describe('the console function', () => {
  it('answers GET /console with the page: HTML, no-store, the CSP, nosniff, no-referrer, frame-ancestors none', () => {
    const { answers: [page], stderr } = invoke({}, [httpApiEvent('/console')]);
    expect(stderr).toBe('');
    expect(page!.statusCode).toBe(200);
    expect(page!.headers).toMatchObject({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives).toEqual({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'connect-src': "'self'",
      'img-src': "'self' data:",
      'frame-ancestors': "'none'",
      'base-uri': "'none'",
      'form-action': "'self'",
    });
  });

  it.each([[{}, 'open'], [{ CLAIM_MODE: 'open' }, 'open'], [{ CLAIM_MODE: 'setupCode' }, 'setupCode'], [{ CLAIM_MODE: 'iam' }, 'iam']])(
    'tells the page the claim mode of its environment (%j → %s)', (env, mode) => {
      const { answers: [page] } = invoke(env as Record<string, string>, [httpApiEvent('/console')]);
      expect(metaOf(page!.body)).toBe(mode);
    },
  );

  it('fails its cold start on a CLAIM_MODE it does not know, naming the allowed values', () => {
    const { answers, stderr, status } = invoke({ CLAIM_MODE: 'everyone' }, [httpApiEvent('/console')]);
    expect(status).not.toBe(0);
    expect(answers).toEqual([]);
    expect(stderr).toContain("CLAIM_MODE must be one of setupCode, iam, open, got 'everyone'");
  });

  it('serves the assets the page names, immutable, with the same security headers; 404 for anything else', () => {
    const { answers: [page] } = invoke({}, [httpApiEvent('/console')]);
    const assets = [...page!.body.matchAll(/(?:src|href)="(\/console\/[^"]+)"/g)].map(([, path]) => path!);
    expect(assets).toHaveLength(2);
    const { answers } = invoke({}, [...assets, '/console/assets/nope.js', '/console/favicon.ico'].map(httpApiEvent));
    for (const answer of answers.slice(0, 2)) {
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['Cache-Control']).toBe(ASSET_CACHE_CONTROL);
      expect(answer.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(answer.headers['X-Content-Type-Options']).toBe('nosniff');
      expect(answer.headers['Referrer-Policy']).toBe('no-referrer');
      expect(answer.body.length).toBeGreaterThan(1000);
    }
    expect(answers.slice(0, 2).map((a) => a.headers['Content-Type'])).toEqual(['text/css; charset=utf-8', 'text/javascript; charset=utf-8']);
    for (const answer of answers.slice(2)) {
      expect({ status: answer.statusCode, body: answer.body, cache: answer.headers['Cache-Control'] }).toEqual({ status: 404, body: '{"message":"Not Found"}', cache: 'no-store' });
    }
  });

  it('carries its assets in its own bundle, and nothing of the AWS SDK, the table or the admin code', () => {
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs).toContain('console-assets:virtual:console-assets');
    expect(inputs.filter((file) => file.includes('node_modules/@aws-sdk/') || file.startsWith('lib/admin/') || file.startsWith('lib/aws/'))).toEqual([]);
  });
});
