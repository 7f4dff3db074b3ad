import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { apiGatewayAnswer, routeFor, routesOf, startLocalGateway, type Route } from '../../scripts/local-gateway.ts';
import { readServerlessConfig } from '../../scripts/serverless-config.ts';

const routes = routesOf(readServerlessConfig());
const introspection = routeFor(routes, 'GET', '/api/v2/service-token')!;
const signIn = routeFor(routes, 'POST', '/api/v2/admin-account/jwt?x=1')!;

// serverless-offline's own answers (src/events/http/HttpServer.js, createAuthScheme.js).
const crashed = JSON.stringify({ errorMessage: 'boom', errorType: 'Error', stackTrace: ['Error: boom', '    at handler (x.cjs:1:1)'] });
const timedOut = JSON.stringify({ errorMessage: '[504] - Lambda timeout.', errorType: 'LambdaTimeoutError', stackTrace: [] });
const boom = (statusCode: number, error: string, message: string) => JSON.stringify({ statusCode, error, message });
const NOT_AUTHORIZED = 'User is not authorized to access this resource';

describe('the routes of serverless.yml', () => {
  it('knows each route, its function, and which ones have the authorizer', () => {
    expect(introspection).toEqual({ method: 'GET', path: '/api/v2/service-token', functionName: 'getServiceToken', authorizer: true });
    expect(signIn).toMatchObject({ functionName: 'createAdminJwt', authorizer: false });
    expect(routeFor(routes, 'GET', '/api/v2/nope')).toBeUndefined();
    expect(routeFor(routes, 'DELETE', '/api/v2/service-token')).toBeUndefined();
    const withParameter: Route = { method: 'GET', path: '/items/{id}', functionName: 'f', authorizer: false };
    expect(routeFor([withParameter], 'get', '/items/42')).toBe(withParameter);
    expect(routeFor([withParameter], 'GET', '/items/42/more')).toBeUndefined();
    // A greedy parameter ({proxy+}) takes the rest of the path, as API Gateway matches it.
    const greedy: Route = { method: 'GET', path: '/console/{proxy+}', functionName: 'console', authorizer: false };
    expect(routeFor([greedy], 'GET', '/console/assets/console-ABC.js')).toBe(greedy);
    expect(routeFor([greedy], 'GET', '/console')).toBeUndefined();
    expect(routeFor(routes, 'GET', '/console/assets/console-ABC.js')?.functionName).toBe('console');
    expect(routeFor(routes, 'GET', '/console')?.functionName).toBe('console');
  });
});

describe("API Gateway's answer in place of serverless-offline's", () => {
  it.each([
    ['a function that crashed', signIn, 200, crashed, { status: 500, message: 'Internal Server Error' }],
    ['a function that timed out', signIn, 200, timedOut, { status: 500, message: 'Internal Server Error' }],
    ['a function whose error has no stack (its module failed to load)', signIn, 200,
      JSON.stringify({ errorMessage: "Error: Cannot find module 'x.cjs'", errorType: 'Error', stackTrace: null }), { status: 500, message: 'Internal Server Error' }],
    ['a function behind the authorizer that timed out', introspection, 200, timedOut, { status: 500, message: 'Internal Server Error' }],
    ['no Authorization header', introspection, 401, boom(401, 'Unauthorized', NOT_AUTHORIZED), { status: 401, message: 'Unauthorized' }],
    ['the authorizer denied', introspection, 403, boom(403, 'Forbidden', NOT_AUTHORIZED), { status: 403, message: 'Forbidden' }],
    ['the authorizer threw or timed out', introspection, 401, boom(401, 'Unauthorized', 'Unauthorized'), { status: 500, message: 'Internal Server Error' }],
  ])('%s', (_case, route, status, body, expected) => {
    expect(apiGatewayAnswer(route, status, body)).toEqual(expected);
  });

  it.each([
    ['our own 200', signIn, 200, JSON.stringify({ data: { accessToken: 'eyJ' } })],
    ['our own 401 envelope', introspection, 401, JSON.stringify({ error: { code: 'AUTHENTICATION_ERROR', message: 'Invalid Service Token' } })],
    ['a Boom body on a route without the authorizer', signIn, 403, boom(403, 'Forbidden', NOT_AUTHORIZED)],
    ['a Boom body whose statusCode is not the status', introspection, 401, boom(403, 'Forbidden', NOT_AUTHORIZED)],
    ['an error shape with one more property', signIn, 200, JSON.stringify({ ...JSON.parse(crashed), statusCode: 200 })],
    ['an error shape on another status', signIn, 502, crashed],
    ['an error shape whose stackTrace is neither a list nor null', signIn, 200, JSON.stringify({ ...JSON.parse(crashed), stackTrace: 'x' })],
    ['a body that is not JSON', signIn, 200, 'ok'],
  ])('none for %s', (_case, route, status, body) => {
    expect(apiGatewayAnswer(route, status, body)).toBeUndefined();
  });
});

describe('the gateway in front of serverless-offline', () => {
  let upstream: Server;
  let gateway: Server;
  let base: string;
  let inFlight = 0;
  let peak = 0;
  const release: (() => void)[] = [];

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      if (request.url === '/api/v2/service-token') {
        response.writeHead(403, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', 'access-control-allow-origin': 'http://docs' });
        response.end(boom(403, 'Forbidden', NOT_AUTHORIZED));
        return;
      }
      if (request.url === '/api/v2/admin-account/jwt?crash') {
        // As hapi does for a large body, when the client accepts it (fetch does).
        if (/gzip/.test(request.headers['accept-encoding'] ?? '')) {
          response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', vary: 'accept-encoding' }).end(gzipSync(crashed));
        } else {
          response.writeHead(200, { 'content-type': 'application/json' }).end(crashed);
        }
        return;
      }
      inFlight++;
      peak = Math.max(peak, inFlight);
      // Held until the test lets it go: how many are in flight at once is what is measured.
      release.push(() => {
        inFlight--;
        response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-mine': 'yes' });
        request.pipe(response);
      });
    }).listen(0, 'localhost');
    await once(upstream, 'listening');
    gateway = await startLocalGateway({ port: 0, upstreamPort: (upstream.address() as AddressInfo).port, routes, concurrency: 2 });
    base = `http://localhost:${(gateway.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const server of [gateway, upstream]) {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });

  it("rewrites serverless-offline's answers, keeping CORS headers and dropping hapi's Cache-Control", async () => {
    const denied = await fetch(`${base}/api/v2/service-token`);
    expect(denied.status).toBe(403);
    expect(denied.headers.get('content-type')).toBe('application/json');
    expect(denied.headers.get('cache-control')).toBeNull();
    expect(denied.headers.get('access-control-allow-origin')).toBe('http://docs');
    expect(await denied.json()).toEqual({ message: 'Forbidden' });
    const failed = await fetch(`${base}/api/v2/admin-account/jwt?crash`, { method: 'POST', headers: { 'accept-encoding': 'gzip' } });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('{"message":"Internal Server Error"}');
  });

  it('passes our answers through untouched, and holds at most `concurrency` requests per function in flight', async () => {
    const answers = Array.from({ length: 5 }, (_, i) =>
      fetch(`${base}/api/v2/admin-account/jwt`, { method: 'POST', body: `{"n":${i}}` }));
    const other = fetch(`${base}/api/v2/admin-account`, { method: 'POST', body: '{"other":true}' });
    while (release.length < 3) await new Promise((done) => setTimeout(done, 10));
    // Two sign-ins and the other function's request, no more.
    await new Promise((done) => setTimeout(done, 100));
    expect(inFlight).toBe(3);
    while (release.length > 0 || inFlight > 0) {
      release.shift()?.();
      await new Promise((done) => setTimeout(done, 20));
    }
    expect(peak).toBe(3);
    const texts = await Promise.all(answers.map(async (answer) => {
      const response = await answer;
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-mine')).toBe('yes');
      return response.text();
    }));
    expect(texts.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `{"n":${i}}`));
    expect(await (await other).text()).toBe('{"other":true}');
  });
});
