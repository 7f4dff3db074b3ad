import assets from 'virtual:console-assets';
import { claimModeFrom, consoleSite, requestPath } from '../lib/console/site.ts';
import type { HttpResult } from '../lib/http/response.ts';

/**
 * GET /console and GET /console/{proxy+} — the admin console: a static page and its hashed
 * assets, built into this bundle (scripts/console.ts). No credential, no table, no secret: the page
 * calls the API's own routes from the browser. CLAIM_MODE is read once, at cold start.
 */
export const createHandler = (site: (path: string) => HttpResult) => async (event: unknown): Promise<HttpResult> => site(requestPath(event));

export const handler = createHandler(consoleSite(assets, claimModeFrom(process.env)));
