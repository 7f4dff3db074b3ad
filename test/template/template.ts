import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The CloudFormation templates that test/template/package-setup.ts generated with `npm run package`,
 * and what the stack is meant to contain, in one place.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Resource {
  Type: string;
  Properties?: Record<string, any>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Condition?: string;
}

export interface Template {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

export type Stage = 'prod' | 'dev';

export function loadTemplate(stage: Stage): Template {
  const dir = stage === 'prod' ? join(root, '.serverless') : process.env.TEMPLATE_DEV_DIR;
  if (!dir) throw new Error('TEMPLATE_DEV_DIR is unset: run through the Jest project "template" (its globalSetup packages)');
  return JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

export interface FunctionExpectation {
  /** The DynamoDB actions the function's code issues (the *.store.ts files), without the `dynamodb:` prefix. */
  readonly dynamodb: readonly string[];
  /** Signs or verifies admin JWTs: reads the signing secret. */
  readonly jwt: boolean;
  readonly memorySize: number;
  /** Hashes or verifies passwords (argon2id, 19 MiB per derivation): runs with one malloc arena. */
  readonly argon2id: boolean;
}

/** Every function of the stack, and what it may do. */
export const FUNCTIONS: Readonly<Record<string, FunctionExpectation>> = {
  // AccountStore.get (cheap refusal, and after a lost put) + AccountStore.create (conditional put)
  createAdminAccount: { argon2id: true, dynamodb: ['GetItem', 'PutItem'], jwt: true, memorySize: 1024 },
  // AccountStore.get + SignInAttemptStore.reserve (update, get, put) and .clear (delete)
  createAdminJwt: { argon2id: true, dynamodb: ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'], jwt: true, memorySize: 1024 },
  // authenticateAdmin (get) + ServiceTokenStore.replace (update)
  createServiceToken: { argon2id: false, dynamodb: ['GetItem', 'UpdateItem'], jwt: true, memorySize: 512 },
  // authenticateAdmin or ServiceTokenStore.read (get) + ServiceTokenStore.write (update, get after a lost write)
  rotateServiceToken: { argon2id: false, dynamodb: ['GetItem', 'UpdateItem'], jwt: true, memorySize: 512 },
  // authenticateAdmin (get): the account holds the token set; nothing is written
  listServiceTokens: { argon2id: false, dynamodb: ['GetItem'], jwt: true, memorySize: 512 },
  // authenticateAdmin or ServiceTokenStore.read (get, again after a lost race) + ServiceTokenStore.write
  // (update), or .recordUse (update: form b with nothing in grace)
  revokeServiceToken: { argon2id: false, dynamodb: ['GetItem', 'UpdateItem'], jwt: true, memorySize: 512 },
  // authenticateAdmin (get) + AccountStore.changePassword (update, get after a lost write)
  resetAdminPassword: { argon2id: true, dynamodb: ['GetItem', 'UpdateItem'], jwt: true, memorySize: 1024 },
  // ServiceTokenStore.read + .recordUse (update, at most every 5 minutes per token)
  getServiceToken: { argon2id: false, dynamodb: ['GetItem', 'UpdateItem'], jwt: false, memorySize: 256 },
  serviceTokenAuthorizer: { argon2id: false, dynamodb: ['GetItem', 'UpdateItem'], jwt: false, memorySize: 256 },
};

export const TIMEOUT_SECONDS = 10;
export const LOG_RETENTION_DAYS = 30;

/** The framework's logical id of a function, e.g. createAdminJwt -> CreateAdminJwtLambdaFunction. */
export const functionLogicalId = (name: string): string => `${name[0]!.toUpperCase()}${name.slice(1)}LambdaFunction`;
export const logGroupLogicalId = (name: string): string => `${name[0]!.toUpperCase()}${name.slice(1)}LogGroup`;

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

export function resource(template: Template, logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`the template has no resource ${logicalId}`);
  return found;
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: Record<string, any>;
}

export const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * Every IAM policy document anywhere in the template (role policies, trust policies, managed and
 * inline policy resources, bucket and other resource policies), found by walking the whole tree,
 * each with the path it was found at.
 */
export function policyDocuments(template: Template): { path: string; statements: Statement[] }[] {
  const found: { path: string; statements: Statement[] }[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, `${path}[${index}]`));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (/PolicyDocument$/.test(key)) {
          found.push({ path: `${path}.${key}`, statements: list((value as { Statement?: Statement | Statement[] }).Statement) });
        }
        walk(value, `${path}.${key}`);
      }
    }
  };
  walk(template.Resources, 'Resources');
  return found;
}

/** Every string inside a value (literal parts of Fn::Join, Fn::Sub templates and the like). */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}
