// The API docs page of `npm start`, on DOCS_PORT: Swagger UI from the installed swagger-ui-dist
// (nothing is fetched from a CDN), the OpenAPI document, and a same-origin way to the API for
// Swagger UI's "Try it out".
//
// Why a proxy rather than CORS: the page (DOCS_PORT) and the API (PORT) are different origins, so a
// browser sends "Try it out" requests as CORS requests, with a preflight for JSON bodies and the
// Authorization header. The deployed HTTP API grants no CORS (its clients are servers, not
// browsers), and granting it in serverless.yml (provider.httpApi.cors) would open production too.
// serverless-offline happens to answer every preflight and reflect any Origin when serverless.yml
// has no cors setting, which API Gateway does not do; the page must not depend on that. So the page
// keeps showing the API's real URL (in the server list, the Request URL and the curl command), and
// only the browser's own calls go through /api-proxy on the page's origin, forwarded to the API.
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const OPENAPI_FILE = fileURLToPath(new URL('../openapi.yaml', import.meta.url));
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The prefix under which the docs server forwards requests to the API. */
export const PROXY_PREFIX = '/api-proxy';

/** The files of swagger-ui-dist the page loads, under /swagger-ui/; nothing else of the package is served. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-16x16.png': 'image/png',
  'favicon-32x32.png': 'image/png',
};

/** The page: swagger-ui-dist's index.html, with our configuration instead of its petstore initializer. */
function page(api: string): string {
  // The API origin is ours (http://localhost:<port>), but a script block is no place for an unescaped '<'.
  const apiLiteral = JSON.stringify(api).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>API docs · npm start</title>
  <link rel="stylesheet" href="/swagger-ui/swagger-ui.css">
  <link rel="icon" type="image/png" href="/swagger-ui/favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="/swagger-ui/favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/swagger-ui/swagger-ui-bundle.js"></script>
  <script>
    const api = ${apiLiteral};
    window.ui = SwaggerUIBundle({
      url: '/openapi.local.json',
      dom_id: '#swagger-ui',
      deepLinking: true,
      // No call to the public validator service.
      validatorUrl: null,
      // "Try it out" goes to the API through this page's origin (see scripts/docs-server.ts)...
      requestInterceptor: (request) => {
        if (request.url === api || request.url.startsWith(api + '/')) {
          request.url = location.origin + ${JSON.stringify(PROXY_PREFIX)} + request.url.slice(api.length);
        }
        return request;
      },
      // ...while the Request URL and the curl command shown stay the API's own.
      showMutatedRequest: false,
    });
  </script>
</body>
</html>
`;
}

/** openapi.yaml as this `npm start` serves it: its one server is the running API. */
function localDocument(text: string, api: string): unknown {
  const document = parseYaml(text) as Record<string, unknown>;
  return { ...document, servers: [{ url: api, description: 'The API of this npm start' }] };
}

/**
 * Forwards a request to the API as it came, and the API's answer back, except for CORS: the Origin
 * is not passed on and no Access-Control-* header comes back, so no other site can read the API
 * through the proxy (the page itself is same-origin and needs none).
 */
function forward(request: IncomingMessage, response: ServerResponse, api: URL, path: string): void {
  const headers = { ...request.headers, host: api.host };
  delete headers.origin;
  const upstream = httpRequest(new URL(path, api), { method: request.method, headers }, (answer) => {
    const answerHeaders = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !name.startsWith('access-control-')));
    response.writeHead(answer.statusCode ?? 502, answerHeaders);
    answer.pipe(response);
  });
  upstream.on('error', (error) => {
    if (response.headersSent) {
      response.destroy(error);
      return;
    }
    response.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(`The API at ${api.origin} did not answer: ${error.message}\n`);
  });
  request.pipe(upstream);
}

/**
 * Serves, on localhost:`port`:
 * - `/`: Swagger UI, with `/swagger-ui/*` its assets from node_modules/swagger-ui-dist;
 * - `/openapi.yaml` as written and `/openapi.json` converted, CORS open so that a Swagger UI or
 *   editor running elsewhere can load them (a public description, nothing secret);
 * - `/openapi.local.json`: the document the page shows, with `servers` set to `api`;
 * - `/api-proxy/*`: forwarded to `api`, without CORS (see forward()).
 * openapi.yaml is read on every request, so an edit shows on the next reload.
 */
export async function startDocsServer({ port, api }: { port: number; api: string }): Promise<Server> {
  const apiUrl = new URL(api);
  const server = createServer((request, response) => {
    const { pathname, search } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname === PROXY_PREFIX || pathname.startsWith(`${PROXY_PREFIX}/`)) {
      forward(request, response, apiUrl, `${pathname.slice(PROXY_PREFIX.length) || '/'}${search}`);
      return;
    }
    const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-cache', ...headers });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    const fail = (error: unknown) => send(500, 'text/plain; charset=utf-8', `${(error as Error).message}\n`);
    const asset = pathname.startsWith('/swagger-ui/') ? pathname.slice('/swagger-ui/'.length) : undefined;
    const known = pathname === '/' || pathname === '/openapi.local.json' || pathname === '/openapi.yaml'
      || pathname === '/openapi.json' || (asset !== undefined && Object.hasOwn(ASSETS, asset));
    if (!known) {
      send(404, 'text/plain; charset=utf-8', 'Not found: the API docs are at /, the document at /openapi.yaml\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(405, 'text/plain; charset=utf-8', 'Method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    if (asset !== undefined) {
      readFile(join(SWAGGER_UI_DIR, asset)).then((bytes) => send(200, ASSETS[asset]!, bytes), fail);
      return;
    }
    if (pathname === '/') {
      send(200, 'text/html; charset=utf-8', page(api));
      return;
    }
    const cors = { 'Access-Control-Allow-Origin': '*' };
    readFile(OPENAPI_FILE, 'utf8').then((text) => {
      if (pathname === '/openapi.yaml') send(200, 'application/yaml; charset=utf-8', text, cors);
      else {
        const document = pathname === '/openapi.json' ? parseYaml(text) : localDocument(text, api);
        send(200, 'application/json; charset=utf-8', `${JSON.stringify(document, null, 2)}\n`, cors);
      }
    }).catch((error: unknown) => fail(new Error(`openapi.yaml: ${(error as Error).message}`)));
  });
  server.listen(port, 'localhost');
  await once(server, 'listening');
  return server;
}
