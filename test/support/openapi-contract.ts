import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/*
 * openapi.yaml as an executable contract: every schema of the document compiled by Ajv (JSON
 * Schema 2020-12, the dialect of OpenAPI 3.1) in strict mode, and a checker that says, for one
 * request and its answer, everything in which the answer departs from the document.
 */

export const OPENAPI_FILE = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));

// ajv-formats is CommonJS: its plugin is the default export's `default`.
const addFormats = addFormatsModule.default;

type Json = Record<string, any>;

/** One request over HTTP (through API Gateway, or serverless-offline's emulation of it) and its answer. */
export interface HttpExchange {
  readonly via: 'http';
  readonly method: string;
  readonly path: string;
  readonly request: { readonly headers: Readonly<Record<string, string>>; readonly body?: string };
  readonly status: number;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One direct invocation of a function (its name in serverless.yml = the operationId) and what it returned. */
export interface DirectExchange {
  readonly via: 'direct';
  readonly operationId: string;
  readonly payload: unknown;
  /** The invoke API's own answer: 200 and the function's result as JSON. */
  readonly invokeStatus: number;
  readonly result: unknown;
}

export type Exchange = HttpExchange | DirectExchange;

/** The parts of an answer the document speaks about, whichever way it arrived. */
interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

// The OpenAPI fields at the root of the document. Declared as (inert) keywords so that Ajv, asked
// for a schema *inside* the document by its JSON pointer, accepts the document as the root that
// `#/components/schemas/...` references resolve against. Nothing else is relaxed.
const OPENAPI_ROOT_FIELDS = ['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs',
  // The document's own extension: API Gateway's answers that any operation may give.
  'x-api-gateway-answers'];
const DOCUMENT_ID = 'https://openapi.invalid/openapi.yaml';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** RFC 6901: `/` and `~` in a key. */
export const pointerSegment = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');
const pointerTo = (...keys: string[]): string => keys.map((k) => `/${pointerSegment(k)}`).join('');

function newAjv(options: { coerceTypes: boolean }): Ajv2020 {
  // strict: an unknown keyword (a typo such as `minLenght`) or a `required` property that is not
  // declared fails the compilation. strictTypes is off: narrowing a referenced schema with sibling
  // keywords (`$ref` + `properties: {error: {properties: {code: {enum}}}}`) is the document's idiom.
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: true, allErrors: true, coerceTypes: options.coerceTypes });
  addFormats(ajv);
  ajv.addVocabulary(OPENAPI_ROOT_FIELDS);
  return ajv;
}

/** Enough of a body to recognise it; the schema errors that follow say what is wrong. */
const excerpt = (text: string, max = 160): string => (text.length > max ? `${text.slice(0, max)}…` : text);

const describeErrors = (errors: ErrorObject[] | null | undefined): string =>
  (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ');

export class OpenApiContract {
  readonly document: Json;
  readonly #bodies = newAjv({ coerceTypes: false });
  // Header values are strings on the wire: `Retry-After: 840` must satisfy `type: integer`.
  readonly #headers = newAjv({ coerceTypes: true });

  constructor(document: Json) {
    this.document = document;
    this.#bodies.addSchema(document, DOCUMENT_ID);
    this.#headers.addSchema(document, DOCUMENT_ID);
  }

  static load(file = OPENAPI_FILE): OpenApiContract {
    return new OpenApiContract(parse(readFileSync(file, 'utf8')) as Json);
  }

  /** The compiled schema at a JSON pointer of the document (compiled once, then cached by Ajv). */
  schemaAt(pointer: string, { header = false } = {}): ValidateFunction {
    const ajv = header ? this.#headers : this.#bodies;
    const validate = ajv.getSchema(`${DOCUMENT_ID}#${pointer}`);
    if (!validate) throw new Error(`openapi.yaml has no schema at ${pointer}`);
    return validate;
  }

  /** Errors of `value` against the schema at `pointer`, as one line; empty when it matches. */
  validate(pointer: string, value: unknown, options: { header?: boolean } = {}): string {
    const validate = this.schemaAt(pointer, options);
    return validate(value) ? '' : describeErrors(validate.errors);
  }

  /** The value at a JSON pointer, or undefined. */
  at(pointer: string): any {
    let node: any = this.document;
    for (const raw of pointer.split('/').slice(1)) {
      if (node === null || typeof node !== 'object') return undefined;
      node = node[raw.replaceAll('~1', '/').replaceAll('~0', '~')];
    }
    return node;
  }

  /** An object and its pointer, following a `$ref` (the document's references are all local). */
  resolve(pointer: string): { pointer: string; value: any } {
    const value = this.at(pointer);
    if (value && typeof value.$ref === 'string') {
      const target = value.$ref as string;
      if (!target.startsWith('#/')) throw new Error(`${pointer}: only local references are supported, got ${target}`);
      return this.resolve(target.slice(1));
    }
    return { pointer, value };
  }

  /** Every operation: method, path, operationId and its pointer. */
  operations(): { method: string; path: string; operationId: string; pointer: string }[] {
    return Object.entries(this.document.paths ?? {}).flatMap(([path, item]) =>
      METHODS.filter((method) => (item as Json)[method]).map((method) => ({
        method: method.toUpperCase(),
        path,
        operationId: (item as Json)[method].operationId as string,
        pointer: pointerTo('paths', path, method),
      })),
    );
  }

  /** Every mismatch between the exchanges and the document, one line each. */
  checkAll(exchanges: readonly Exchange[]): string[] {
    return exchanges.flatMap((exchange, index) => this.check(exchange).map((problem) => `#${index + 1} ${problem}`));
  }

  /** Every way in which one exchange departs from the document; empty when it matches. */
  check(exchange: Exchange): string[] {
    return exchange.via === 'http' ? this.#checkHttp(exchange) : this.#checkDirect(exchange);
  }

  #checkHttp(exchange: HttpExchange): string[] {
    const label = `${exchange.method} ${exchange.path} → ${exchange.status} (HTTP)`;
    const operation = this.operations().find((o) => o.method === exchange.method.toUpperCase() && o.path === exchange.path);
    if (!operation) return [`${label}: no such operation in openapi.yaml`];
    const gateway = this.#checkGatewayAnswer(exchange);
    if (gateway) return gateway.map((problem) => `${label}: ${problem}`);
    const problems = this.#checkAnswer(operation.pointer, exchange);
    if (exchange.status >= 200 && exchange.status < 300 && exchange.request.body !== undefined) {
      let body: unknown;
      try {
        body = JSON.parse(exchange.request.body);
      } catch {
        problems.push('the accepted request body is not JSON');
      }
      if (body !== undefined) problems.push(...this.#checkAcceptedRequest(operation.pointer, body));
    }
    return problems.map((problem) => `${label}: ${problem}`);
  }

  #checkDirect(exchange: DirectExchange): string[] {
    const operation = this.operations().find((o) => o.operationId === exchange.operationId);
    const result = exchange.result as Json | undefined;
    const label = `${operation ? `${operation.method} ${operation.path}` : exchange.operationId} → ${result?.statusCode ?? '?'} (direct invocation of ${exchange.operationId})`;
    if (!operation) return [`${label}: no operation with this operationId in openapi.yaml`];
    if (exchange.invokeStatus !== 200) return [`${label}: the invoke endpoint answered ${exchange.invokeStatus}, not 200`];
    const shape = this.validate('/components/schemas/DirectInvocationResult', result);
    if (shape) return [`${label}: the result does not match DirectInvocationResult: ${shape}`];
    const answer: Answer = {
      status: result!.statusCode,
      headers: Object.fromEntries(Object.entries(result!.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v])),
      body: result!.body,
    };
    const problems = this.#checkAnswer(operation.pointer, answer);
    const payload = exchange.payload as Json | undefined;
    if (answer.status >= 200 && answer.status < 300 && payload?.body !== undefined) {
      const body = typeof payload.body === 'string' ? JSON.parse(payload.body) : payload.body;
      problems.push(...this.#checkAcceptedRequest(operation.pointer, body));
    }
    return problems.map((problem) => `${label}: ${problem}`);
  }

  /**
   * An answer of API Gateway's own that any operation may give (the document's
   * `x-api-gateway-answers`, e.g. a function that timed out): its problems, or undefined when the
   * answer is not one of them (its body does not match), so that the operation's own responses apply.
   */
  #checkGatewayAnswer(answer: Answer): string[] | undefined {
    const pointer = `/x-api-gateway-answers/${answer.status}/content/application~1json/schema`;
    if (!this.at(pointer)) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return undefined;
    }
    if (this.validate(pointer, body)) return undefined;
    const problems: string[] = [];
    const mediaType = answer.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/json') problems.push(`API Gateway's answer with Content-Type ${JSON.stringify(answer.headers['content-type'] ?? null)}, not application/json`);
    if (answer.headers['cache-control'] !== undefined) problems.push(`API Gateway's answer with Cache-Control ${answer.headers['cache-control']}`);
    return problems;
  }

  /** Status documented, Content-Type one of the documented media types, headers, body schema. */
  #checkAnswer(operationPointer: string, answer: Answer): string[] {
    const responses = this.at(`${operationPointer}/responses`) as Json;
    if (!responses?.[String(answer.status)]) {
      return [`status ${answer.status} is not documented (documented: ${Object.keys(responses ?? {}).join(', ')})`];
    }
    const response = this.resolve(`${operationPointer}/responses/${answer.status}`);
    const problems: string[] = [];

    for (const name of Object.keys((response.value.headers ?? {}) as Json)) {
      const header = this.resolve(`${response.pointer}/headers/${pointerSegment(name)}`);
      const value = answer.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.value.required === true) problems.push(`required header ${name} is missing`);
        continue;
      }
      const errors = this.validate(`${header.pointer}/schema`, value, { header: true });
      if (errors) problems.push(`header ${name}: ${JSON.stringify(value)} does not match: ${errors}`);
    }

    const content = (response.value.content ?? {}) as Json;
    const mediaTypes = Object.keys(content);
    if (mediaTypes.length === 0) {
      if (answer.body !== '') problems.push('a body is sent but none is documented');
      return problems;
    }
    const contentType = answer.headers['content-type'];
    const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
    if (mediaType === undefined || !mediaTypes.includes(mediaType)) {
      problems.push(`Content-Type ${JSON.stringify(contentType ?? null)} is not documented (documented: ${mediaTypes.join(', ')})`);
      return problems;
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      problems.push(`the body is not JSON: ${excerpt(answer.body)}`);
      return problems;
    }
    const errors = this.validate(`${response.pointer}/content/${pointerSegment(mediaType)}/schema`, body);
    if (errors) problems.push(`body ${excerpt(answer.body)} does not match the schema: ${errors}`);
    return problems;
  }

  /** The API accepted this request, so the document's request schema must accept it too. */
  #checkAcceptedRequest(operationPointer: string, body: unknown): string[] {
    if (!this.at(`${operationPointer}/requestBody`)) return [];
    const requestBody = this.resolve(`${operationPointer}/requestBody`);
    const errors = this.validate(`${requestBody.pointer}/content/application~1json/schema`, body);
    return errors ? [`the API accepted ${excerpt(JSON.stringify(body))}, but the documented request schema refuses it: ${errors}`] : [];
  }
}
