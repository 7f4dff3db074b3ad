import type { HttpResult } from '../http/response.ts';

/*
 * The admin console's pages as the `console` function serves them (docs/design.md#the-admin-console):
 * one HTML page at /console, never cached, and the script and stylesheet it loads under
 * /console/assets/, whose names carry a hash of their content and so are cached for good. The page
 * is static: it holds no secret and no data, only the claim mode of the deployment. Everything it
 * shows it fetches from the API's own routes, in the browser, with the operator's credentials.
 */

/** The console's built assets (scripts/console.ts), by name under /console/. */
export interface ConsoleAssets {
  /** e.g. `assets/console-4F2K7Q3M.js` */
  readonly script: string;
  readonly stylesheet: string;
  readonly files: Readonly<Record<string, { readonly contentType: string; readonly body: string }>>;
}

/** How the first admin may claim the instance (POST /api/v2/admin-account), as the page is told. */
export const CLAIM_MODES = ['setupCode', 'iam', 'open'] as const;
export type ClaimMode = (typeof CLAIM_MODES)[number];

/**
 * CLAIM_MODE of the function's environment: the deployment's claim mode, `open` when unset (the
 * vendor's behaviour, and `npm start`'s). Anything else stops the function at cold start.
 */
export function claimModeFrom(env: Readonly<Record<string, string | undefined>>): ClaimMode {
  const value = env.CLAIM_MODE || 'open';
  if (!(CLAIM_MODES as readonly string[]).includes(value)) {
    throw new Error(`CLAIM_MODE must be one of ${CLAIM_MODES.join(', ')}, got '${value}'`);
  }
  return value as ClaimMode;
}

/**
 * Nothing but this origin: no inline script or style (the page has none), no plugin, frame, form
 * target or base URL elsewhere; images only from here or data: URLs (the page's icon).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** On every answer of the console, the 404 included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // For browsers that predate frame-ancestors.
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export const PAGE_CACHE_CONTROL = 'no-store';
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

// The page's icon, inline so that the browser asks nothing else of the API.
const ICON = 'data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 16 16%22%3E%3Crect width=%2216%22 height=%2216%22 rx=%223%22 fill=%22%231d4ed8%22/%3E%3C/svg%3E';

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The HTML page: its assets, and the claim mode in a meta element (never inline script: the CSP forbids it). */
export function renderPage(assets: ConsoleAssets, claimMode: ClaimMode): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="claim-mode" content="${escapeAttribute(claimMode)}">
<title>Admin console</title>
<link rel="icon" href="${ICON}">
<link rel="stylesheet" href="/console/${escapeAttribute(assets.stylesheet)}">
<script type="module" src="/console/${escapeAttribute(assets.script)}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The admin console needs JavaScript. The API itself works without it: see the README.</noscript>
</body>
</html>
`;
}

const answer = (statusCode: number, contentType: string, cacheControl: string, body: string): HttpResult => ({
  statusCode,
  headers: { 'Content-Type': contentType, 'Cache-Control': cacheControl, ...SECURITY_HEADERS },
  body,
});

/**
 * The answer to GET `path`: the page at /console (and /console/), an asset by its exact name, and
 * for anything else under /console the 404 API Gateway gives for a route it does not have.
 */
export function consoleSite(assets: ConsoleAssets, claimMode: ClaimMode): (path: string) => HttpResult {
  // Rendered once per container: it depends on nothing else.
  const page = renderPage(assets, claimMode);
  return (path) => {
    if (path === '/console' || path === '/console/') return answer(200, 'text/html; charset=utf-8', PAGE_CACHE_CONTROL, page);
    const name = path.startsWith('/console/') ? path.slice('/console/'.length) : undefined;
    const file = name !== undefined && Object.hasOwn(assets.files, name) ? assets.files[name] : undefined;
    if (file) return answer(200, file.contentType, ASSET_CACHE_CONTROL, file.body);
    return answer(404, 'application/json', PAGE_CACHE_CONTROL, JSON.stringify({ message: 'Not Found' }));
  };
}

/** The request path of an HTTP API (payload 2.0) or REST API event; `/console` for anything else (a direct invocation). */
export function requestPath(event: unknown): string {
  const e = (typeof event === 'object' && event !== null ? event : {}) as { rawPath?: unknown; path?: unknown };
  if (typeof e.rawPath === 'string') return e.rawPath;
  if (typeof e.path === 'string') return e.path;
  return '/console';
}
