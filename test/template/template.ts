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
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown; Description?: string; Condition?: string }>;
}

/**
 * The packagings of test/template/package-setup.ts: `prod` and `dev` with the default parameters,
 * `custom` (stage `staging`) with every per-stage parameter set to something else (CUSTOM_PARAMS).
 */
export type Stage = 'prod' | 'dev' | 'custom';

/** What the `custom` packaging passes as `--param`s, and its stage. */
export const CUSTOM_STAGE = 'staging';
export const CUSTOM_PARAMS = {
  selfHosted: 'false',
  jwtTtlSeconds: '900',
  logLevel: 'DEBUG',
  consumerEmailDomains: 'example.com,example.org',
  alarmEmail: 'ops@example.com',
  tracing: 'true',
  domainName: 'admin-api.example.com',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  existingTableName: 'databrain-admin-api-staging-restored',
  claimMode: 'iam',
} as const;

/**
 * The deployer's environment during every packaging: SELF_HOSTED must not reach the template (prod
 * and dev: the parameter's default `true` whatever the shell says; custom: the parameter `false`).
 */
export const PACKAGING_ENV: Readonly<Record<Stage, Record<string, string>>> = {
  prod: { SELF_HOSTED: 'false' },
  dev: { SELF_HOSTED: 'false' },
  custom: { SELF_HOSTED: 'true' },
};

const TEMPLATE_DIRS: Readonly<Record<Stage, () => string | undefined>> = {
  prod: () => join(root, '.serverless'),
  dev: () => process.env.TEMPLATE_DEV_DIR,
  custom: () => process.env.TEMPLATE_CUSTOM_DIR,
};

export function loadTemplate(stage: Stage): Template {
  const dir = TEMPLATE_DIRS[stage]();
  if (!dir) throw new Error(`no ${stage} template: run through the Jest project "template" (its globalSetup packages)`);
  return JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The template as CloudFormation would deploy it: its Conditions evaluated (they compare literals
 * that packaging filled in from the stage parameters), resources and outputs whose condition is
 * false left out, `Fn::If` replaced by the branch taken and `AWS::NoValue` removed.
 */
export function effectiveTemplate(template: Template): Template {
  const conditions = template.Conditions ?? {};
  const decided = new Map<string, boolean>();
  const condition = (name: string): boolean => {
    if (!decided.has(name)) {
      if (!(name in conditions)) throw new Error(`the template has no condition ${name}`);
      decided.set(name, evaluate(conditions[name]));
    }
    return decided.get(name)!;
  };
  const evaluate = (expression: unknown): boolean => {
    if (!isObject(expression)) throw new Error(`not a condition: ${JSON.stringify(expression)}`);
    const [name, args] = Object.entries(expression)[0]!;
    const list = args as unknown[];
    switch (name) {
      case 'Fn::Equals': {
        const [a, b] = list.map((v) => resolve(v));
        if (typeof a !== 'string' || typeof b !== 'string') throw new Error(`Fn::Equals of non-literals: ${JSON.stringify(args)}`);
        return a === b;
      }
      case 'Fn::Not':
        return !evaluate(list[0]);
      case 'Fn::And':
        return list.every(evaluate);
      case 'Fn::Or':
        return list.some(evaluate);
      case 'Condition':
        return condition(args as string);
      default:
        throw new Error(`unknown condition function ${name}`);
    }
  };
  const NO_VALUE = Symbol('AWS::NoValue');
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve).filter((item) => item !== NO_VALUE);
    if (!isObject(node)) return node;
    if (node.Ref === 'AWS::NoValue') return NO_VALUE;
    if ('Fn::If' in node && Object.keys(node).length === 1) {
      const [name, whenTrue, whenFalse] = node['Fn::If'] as [string, unknown, unknown];
      return resolve(condition(name) ? whenTrue : whenFalse);
    }
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, resolve(value)]).filter(([, value]) => value !== NO_VALUE));
  };
  const kept = <T extends { Condition?: string }>(entries: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(entries).filter(([, entry]) => entry.Condition === undefined || condition(entry.Condition)).map(([id, entry]) => [id, resolve(entry) as T]));
  return { Resources: kept(template.Resources), Outputs: kept(template.Outputs ?? {}) };
}

export interface FunctionExpectation {
  /** Signs or verifies admin JWTs: reads the signing secret. */
  readonly jwt: boolean;
  /** The signing secret's rotation function: runs Secrets Manager's rotation steps on it. */
  readonly rotatesSigningKey?: boolean;
  readonly memorySize: number;
  /** Hashes or verifies passwords (argon2id, 19 MiB per derivation): runs with one malloc arena. */
  readonly argon2id: boolean;
  /** claimMode `setupCode` (the default): reads the setup code secret. createAdminAccount alone. */
  readonly readsSetupCode?: boolean;
  /** Reached by no route: IAM-authorized direct invocation only. */
  readonly operatorOnly?: boolean;
  /** Serves the admin console's static assets: writes logs and nothing else. */
  readonly static?: boolean;
}

/** Whether a function reads or writes the table (all but the signing key's rotation and the console). */
export const usesTable = (expected: FunctionExpectation): boolean => !expected.rotatesSigningKey && !expected.static;

/**
 * Every function of the stack, and what it may do. Which DynamoDB calls each may make on which
 * items is not listed here: item-access.test.ts records them from the handlers themselves.
 */
export const FUNCTIONS: Readonly<Record<string, FunctionExpectation>> = {
  createAdminAccount: { argon2id: true, jwt: true, readsSetupCode: true, memorySize: 1024 },
  createAdminJwt: { argon2id: true, jwt: true, memorySize: 1024 },
  createServiceToken: { argon2id: false, jwt: true, memorySize: 512 },
  rotateServiceToken: { argon2id: false, jwt: true, memorySize: 512 },
  resetAdminPassword: { argon2id: true, jwt: true, memorySize: 1024 },
  listServiceTokens: { argon2id: false, jwt: true, memorySize: 512 },
  revokeServiceToken: { argon2id: false, jwt: true, memorySize: 512 },
  getServiceToken: { argon2id: false, jwt: false, memorySize: 256 },
  serviceTokenAuthorizer: { argon2id: false, jwt: false, memorySize: 256 },
  // lib/admin/signing-key-rotation.ts: Secrets Manager calls only
  rotateSigningKey: { argon2id: false, jwt: false, rotatesSigningKey: true, memorySize: 256 },
  // lib/admin/recovery.ts: the operator's way back in, a new password (argon2id); no route
  recoverAdminAccess: { argon2id: true, jwt: false, operatorOnly: true, memorySize: 1024 },
  // handlers/console.ts: the console's page and assets, built into its bundle
  console: { argon2id: false, jwt: false, static: true, memorySize: 256 },
};

/** The functions that can write an audit event: all but the authorizer (its denials are the access log's) and the console. */
export const AUDITED_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS).filter((fn) => fn !== 'serviceTokenAuthorizer' && fn !== 'console');

/** The Secrets Manager actions a function may call on the signing secret. */
export const secretActions = (expected: FunctionExpectation): string[] => {
  if (expected.rotatesSigningKey) return ['DescribeSecret', 'GetSecretValue', 'PutSecretValue', 'UpdateSecretVersionStage'];
  return expected.jwt ? ['GetSecretValue'] : [];
};

/** The setup code secret's logical id (claimMode `setupCode`). */
export const SETUP_CODE_SECRET = 'SetupCodeSecret';

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
