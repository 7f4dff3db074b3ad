// A small HTTP proxy in front of the run's DynamoDB engine (process.env.DDB_ENDPOINT), with
// switchable faults, for the proof suites: the app under test talks to the proxy (its
// DYNAMODB_ENDPOINT), the test itself reads the table directly from the engine.
import { once } from 'node:events';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { engineEndpoint } from './engine.ts';

/** A DynamoDB error type the proxy can answer with (HTTP 400 and the JSON body DynamoDB sends). */
export type DynamoDbErrorType = 'ProvisionedThroughputExceededException' | 'ThrottlingException';

export type ProxyMode =
  /** Forward every request and its response untouched. */
  | { readonly kind: 'pass' }
  /** The port is closed: nothing listens, every connection is refused. */
  | { readonly kind: 'closed' }
  /** Accept the connection, then reset it without answering. */
  | { readonly kind: 'reset' }
  /** Answer with a DynamoDB JSON error, status 400, without forwarding. */
  | { readonly kind: 'error'; readonly type: DynamoDbErrorType }
  /**
   * A slow engine: hold each request `ms` before forwarding it. A request whose client gave up in
   * the meantime is never forwarded (so a timed-out write did not happen).
   */
  | { readonly kind: 'delay'; readonly ms: number }
  /**
   * Forward the request, let the engine apply it, then lose the response: `reset` destroys the
   * client's socket, `500` answers a DynamoDB InternalServerError instead. Only the first request
   * that matches is affected; the mode then returns to `pass`.
   */
  | { readonly kind: 'lose-response-once'; readonly how: 'reset' | '500' };

/** What a request asks DynamoDB to do: the operation (`PutItem`, …) and its JSON input. */
export interface DynamoDbCall {
  readonly operation: string;
  readonly input: Record<string, any>;
}

export interface ProxyStats {
  /** Every request the proxy received while listening, by operation. */
  readonly received: Record<string, number>;
  /** Requests a fault was applied to (not forwarded untouched). */
  readonly faulted: number;
  /** Requests of `lose-response-once` that reached the engine and whose answer was lost. */
  readonly lost: DynamoDbCall[];
}

export interface DynamoDbProxy {
  /** `http://127.0.0.1:<port>`: the endpoint to give the app. The port survives `closed`. */
  readonly endpoint: string;
  /**
   * Switches the mode; `match` limits the fault to the calls it accepts (the others pass).
   * Resolves once the proxy listens again (or has stopped listening, for `closed`).
   */
  set(mode: ProxyMode, match?: (call: DynamoDbCall) => boolean): Promise<void>;
  readonly stats: ProxyStats;
  resetStats(): void;
  close(): Promise<void>;
}

const DYNAMODB_ERROR_PREFIX = 'com.amazonaws.dynamodb.v20120810#';
const ERROR_MESSAGES: Record<DynamoDbErrorType, string> = {
  ProvisionedThroughputExceededException:
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  ThrottlingException: 'Rate of requests exceeds the allowed throughput.',
};

const passAll = () => true;

/** Starts a proxy in front of `target` (default: the run's engine) in mode `pass`. */
export async function startDynamoDbProxy(target: string = engineEndpoint()): Promise<DynamoDbProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let mode: ProxyMode = { kind: 'pass' };
  let match: (call: DynamoDbCall) => boolean = passAll;
  let stats = { received: {} as Record<string, number>, faulted: 0, lost: [] as DynamoDbCall[] };
  let server: Server | undefined;
  let port = 0;

  const forward = (incoming: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers = { ...incoming.headers, host: upstream.host };
      const outgoing = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers, agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const out: Record<string, string> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined && name !== 'connection' && name !== 'keep-alive' && name !== 'transfer-encoding') {
                out[name] = Array.isArray(value) ? value.join(', ') : value;
              }
            }
            resolve({ status: response.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
          });
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string) => {
    if (res.destroyed) return;
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };

  const dynamoError = (res: ServerResponse, status: number, type: string, message: string) =>
    send(res, status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `proxy-${Date.now()}` },
      JSON.stringify({ __type: `${DYNAMODB_ERROR_PREFIX}${type}`, message }));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1) || 'unknown';
    let input: Record<string, any> = {};
    try {
      input = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      // Not JSON: forwarded as it is.
    }
    stats.received[operation] = (stats.received[operation] ?? 0) + 1;
    const call = { operation, input };
    const current = match(call) ? mode : ({ kind: 'pass' } as const);
    if (current.kind !== 'pass') stats.faulted++;

    switch (current.kind) {
      case 'closed':
      case 'reset':
        req.socket.destroy();
        return;
      case 'error':
        dynamoError(res, 400, current.type, ERROR_MESSAGES[current.type]);
        return;
      case 'delay': {
        let clientGone = false;
        res.on('close', () => { clientGone = true; });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => { timers.delete(timer); resolve(); }, current.ms);
          timers.add(timer);
        });
        if (clientGone || res.destroyed) return;
        break;
      }
      case 'lose-response-once': {
        // One-shot: later requests (the SDK's retry among them) pass.
        mode = { kind: 'pass' };
        match = passAll;
        await forward(req, body);
        stats.lost.push(call);
        if (current.how === 'reset') req.socket.destroy();
        else dynamoError(res, 500, 'InternalServerError', 'Internal server error');
        return;
      }
      case 'pass':
        break;
    }
    const answer = await forward(req, body);
    send(res, answer.status, answer.headers, answer.body);
  };

  const listen = async () => {
    const created = createServer((req, res) => {
      handle(req, res).catch(() => req.socket.destroy());
    });
    created.keepAliveTimeout = 30_000;
    created.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    created.listen(port, '127.0.0.1');
    await once(created, 'listening');
    port = (created.address() as AddressInfo).port;
    server = created;
  };

  const stopListening = async () => {
    const closing = server;
    server = undefined;
    if (!closing) return;
    // Idle keep-alive connections would otherwise keep serving requests after the port closed.
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  await listen();

  return {
    endpoint: `http://127.0.0.1:${port}`,
    get stats() {
      return stats;
    },
    resetStats() {
      stats = { received: {}, faulted: 0, lost: [] };
    },
    async set(next, accept = passAll) {
      mode = next;
      match = accept;
      if (next.kind === 'closed') await stopListening();
      else if (!server) await listen();
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await stopListening();
      agent.destroy();
    },
  };
}

/** Calls that write (the ones a conditional-write fault targets). */
export const isWrite = (call: DynamoDbCall): boolean => ['PutItem', 'UpdateItem', 'DeleteItem'].includes(call.operation);

/** A conditional write (put, update or delete) to the item with partition key `pk`. */
export const conditionalWriteTo = (pk: string) => (call: DynamoDbCall): boolean =>
  isWrite(call) && call.input.ConditionExpression !== undefined && (call.input.Key?.pk?.S ?? call.input.Item?.pk?.S) === pk;
