// `npm start`'s HTTP API port: a small reverse proxy in front of serverless-offline that makes the
// local API answer where serverless-offline departs from API Gateway (HTTP API), and nothing else.
// Every other answer, our functions' included, passes through byte for byte.
//
// 1. What serverless-offline answers in API Gateway's place (node_modules/serverless-offline/src/
//    events/http/HttpServer.js and createAuthScheme.js, v14), rewritten to API Gateway's answer:
//    - a function that crashes or times out: serverless-offline wraps the error it caught,
//      `{"errorMessage","errorType","stackTrace"}`, as the 200 answer of a payload-2.0 function
//      that returned no statusCode. API Gateway: 500 {"message":"Internal Server Error"}.
//    - the Lambda authorizer (routes with `authorizer:` in serverless.yml only), answered by hapi's
//      Boom, `{"statusCode","error","message"}`:
//        401 "User is not authorized to access this resource" (no Authorization header)
//                                   → API Gateway: 401 {"message":"Unauthorized"}
//        403 (the authorizer denied) → 403 {"message":"Forbidden"}
//        401 "Unauthorized" (the authorizer threw or timed out; with simple responses it is
//            serverless-offline's only other 401) → 500 {"message":"Internal Server Error"}
//    Our functions never answer either shape: every handler returns a statusCode, and a function
//    behind the authorizer is not even called when these are answered.
// 2. At most `concurrency` requests per function are in flight in serverless-offline; the others
//    wait here, in order. serverless-offline starts a worker thread for every request that finds
//    no idle one, and counts its cold start against the function's timeout: 30 concurrent first
//    calls on 2 cores were 30 cold starts sharing 2 cores, and each ran past the 10 s timeout. On
//    AWS each of them would have had its own CPU. The queue keeps the timeout a measure of the
//    function, not of the machine.
import { once } from 'node:events';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { ServerlessConfig } from './serverless-config.ts';

/** An HTTP route of serverless.yml and the function behind it. */
export interface Route {
  readonly method: string;
  /** The path as serverless.yml writes it, `{name}` for a path parameter. */
  readonly path: string;
  readonly functionName: string;
  readonly authorizer: boolean;
}

export function routesOf(config: ServerlessConfig): Route[] {
  return Object.entries(config.functions).flatMap(([functionName, fn]) =>
    (fn.events ?? []).flatMap(({ httpApi }) => httpApi
      ? [{ method: httpApi.method.toUpperCase(), path: httpApi.path, functionName, authorizer: httpApi.authorizer !== undefined }]
      : []));
}

// `{name}` is one path segment; a greedy `{name+}` (e.g. /console/{proxy+}) the rest of the path.
const pathPattern = (path: string): RegExp =>
  new RegExp(`^${path.split(/(\{[^}]+\})/).map((part, i) => (i % 2 === 1
    ? (part.endsWith('+}') ? '.+' : '[^/]+')
    : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('')}/?$`);

/** The route a request is for, as API Gateway matches it (method and path; `{name}` one segment, `{name+}` the rest). */
export function routeFor(routes: readonly Route[], method: string, url: string): Route | undefined {
  const { pathname } = new URL(url, 'http://localhost');
  return routes.find((route) => route.method === method.toUpperCase() && pathPattern(route.path).test(pathname));
}

/** API Gateway's own answer: a status and `{"message": …}`. */
export interface GatewayAnswer {
  readonly status: number;
  readonly message: 'Unauthorized' | 'Forbidden' | 'Internal Server Error';
}

const INTERNAL_SERVER_ERROR: GatewayAnswer = { status: 500, message: 'Internal Server Error' };
const MISSING_IDENTITY = 'User is not authorized to access this resource';

const hasExactly = (value: unknown, keys: string[]): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
  && Object.keys(value).sort().join() === [...keys].sort().join();

/**
 * What API Gateway would have answered in place of serverless-offline's answer `status`/`body`
 * (JSON media type) on `route`; undefined when the answer is not one of serverless-offline's own.
 */
export function apiGatewayAnswer(route: Route | undefined, status: number, body: string): GatewayAnswer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (status === 200 && hasExactly(value, ['errorMessage', 'errorType', 'stackTrace'])
    // stackTrace is null for an error without a stack (one that failed the handler's import, say).
    && typeof value.errorMessage === 'string' && typeof value.errorType === 'string'
    && (Array.isArray(value.stackTrace) || value.stackTrace === null)) {
    return INTERNAL_SERVER_ERROR;
  }
  if (!route?.authorizer || !hasExactly(value, ['statusCode', 'error', 'message']) || value.statusCode !== status) return undefined;
  if (status === 403 && value.error === 'Forbidden') return { status: 403, message: 'Forbidden' };
  if (status === 401 && value.error === 'Unauthorized') {
    return value.message === MISSING_IDENTITY ? { status: 401, message: 'Unauthorized' } : INTERNAL_SERVER_ERROR;
  }
  return undefined;
}

/** Answers that may be serverless-offline's own: read whole before they are passed on. */
const mayBeRewritten = (status: number, headers: IncomingHttpHeaders): boolean =>
  [200, 401, 403].includes(status) && /^application\/json\b/i.test(headers['content-type'] ?? '');

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, not to the message.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const endToEnd = (headers: IncomingHttpHeaders): OutgoingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
/**
 * A request as it is passed on: without Accept-Encoding, so that serverless-offline (hapi) never
 * compresses an answer that may have to be read here. API Gateway (HTTP API) does not compress either.
 */
const forwarded = (headers: IncomingHttpHeaders): OutgoingHttpHeaders => {
  const { 'accept-encoding': _acceptEncoding, ...rest } = endToEnd(headers);
  return rest;
};

/** At most `limit` at once per key; the others wait in order. */
function limiter(limit: number) {
  const running = new Map<string, number>();
  const waiting = new Map<string, (() => void)[]>();
  return async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    if ((running.get(key) ?? 0) >= limit) {
      await new Promise<void>((turn) => waiting.set(key, [...(waiting.get(key) ?? []), turn]));
    }
    running.set(key, (running.get(key) ?? 0) + 1);
    try {
      return await work();
    } finally {
      running.set(key, running.get(key)! - 1);
      const queue = waiting.get(key);
      queue?.shift()?.();
      if (queue?.length === 0) waiting.delete(key);
    }
  };
}

export interface GatewayOptions {
  readonly port: number;
  /** serverless-offline's HTTP port. */
  readonly upstreamPort: number;
  readonly routes: readonly Route[];
  /** Requests in flight in serverless-offline per function, at most. */
  readonly concurrency: number;
}

export async function startLocalGateway({ port, upstreamPort, routes, concurrency }: GatewayOptions): Promise<Server> {
  const agent = new Agent({ keepAlive: true });
  const limit = limiter(concurrency);

  /** Forwards one request; resolves once its answer has been sent (or the exchange failed). */
  const forward = (request: IncomingMessage, response: ServerResponse, route: Route | undefined) =>
    new Promise<void>((done) => {
      const upstream = httpRequest({
        host: 'localhost', port: upstreamPort, agent, method: request.method, path: request.url, headers: forwarded(request.headers),
      }, (answer) => {
        const status = answer.statusCode ?? 502;
        answer.once('close', done);
        if (!mayBeRewritten(status, answer.headers)) {
          response.writeHead(status, answer.statusMessage, endToEnd(answer.headers));
          answer.pipe(response);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.once('end', () => {
          const body = Buffer.concat(chunks);
          const gateway = apiGatewayAnswer(route, status, body.toString('utf8'));
          if (!gateway) {
            response.writeHead(status, answer.statusMessage, endToEnd(answer.headers)).end(body);
            return;
          }
          // API Gateway's answer: its body and media type, no Cache-Control; CORS headers (set by
          // serverless-offline for a browser's request) are kept.
          const cors = Object.entries(answer.headers).filter(([name]) => name.startsWith('access-control-'));
          const text = JSON.stringify({ message: gateway.message });
          response.writeHead(gateway.status, { ...Object.fromEntries(cors), 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
          response.end(text);
        });
      });
      upstream.once('error', () => {
        // serverless-offline is gone or restarting: what API Gateway answers when it cannot reach
        // the integration.
        if (!response.headersSent) {
          response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Service Unavailable' }));
        } else {
          response.destroy();
        }
        done();
      });
      // A client that goes away takes its upstream request along.
      response.once('close', () => { if (!response.writableFinished) upstream.destroy(); });
      request.pipe(upstream);
    });

  const server = createServer((request, response) => {
    const route = routeFor(routes, request.method ?? 'GET', request.url ?? '/');
    // Unknown routes (serverless-offline's 404) are not limited.
    void (route ? limit(route.functionName, () => forward(request, response, route)) : forward(request, response, route));
  });
  server.once('close', () => agent.destroy());
  server.listen(port, 'localhost');
  await once(server, 'listening');
  return server;
}
