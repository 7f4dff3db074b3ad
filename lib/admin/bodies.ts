import Joi from 'joi';
import { isConsumerAddress, normalizeEmail } from './email.ts';

/**
 * Request bodies, validated with Joi; its messages (`"token" is required`, `"x" is not allowed`)
 * are part of the contract, so they are Joi's own wherever Joi has one.
 *
 * Every schema here is a function that builds it: each handler builds the ones it uses, so a
 * function's cold start pays for its own schemas only (docs/performance.md, "Figures that were code
 * comments").
 */
// Own messages go on the rule (`.rule({ message })`), never through `.messages()` or `.prefs()`:
// those check the preferences against Joi's own schemas, whose first use loads and builds them all,
// a cost on every Joi function's cold start (docs/performance.md).
const CHARACTER_CLASS = '{{#label}} should contain at least 1 {{#name}} character';

function password(): Joi.StringSchema {
  return Joi.string()
    .min(8)
    .max(128)
    .pattern(/[A-Z]/, { name: 'uppercase' })
    .rule({ message: CHARACTER_CLASS })
    .pattern(/[a-z]/, { name: 'lowercase' })
    .rule({ message: CHARACTER_CLASS })
    .pattern(/[0-9]/, { name: 'numeric' })
    .rule({ message: CHARACTER_CLASS })
    .pattern(/[^A-Za-z0-9\s]/, { name: 'special' })
    .rule({ message: CHARACTER_CLASS })
    .pattern(/\s/, { name: 'whitespace', invert: true })
    .rule({ message: '{{#label}} should not contain white spaces' });
}

export interface SignUpBody {
  firstName: string;
  email: string;
  password: string;
  companyName: string;
}

const signUpSchemas = new WeakMap<readonly string[], Joi.ObjectSchema<SignUpBody>>();

/** The sign-up schema for a list of refused consumer domains, built once per list. */
export function signUpSchema(consumerDomains: readonly string[]): Joi.ObjectSchema<SignUpBody> {
  let schema = signUpSchemas.get(consumerDomains);
  if (!schema) {
    schema = buildSignUpSchema(consumerDomains);
    signUpSchemas.set(consumerDomains, schema);
  }
  return schema;
}

function buildSignUpSchema(consumerDomains: readonly string[]): Joi.ObjectSchema<SignUpBody> {
  return Joi.object<SignUpBody>({
    firstName: Joi.string().trim().min(3).max(30).required(),
    // Normalised (email.ts) before any rule looks at it: email() and the consumer-domain check
    // judge the address that will be stored, whatever look-alike spelling was sent.
    email: Joi.string()
      .trim()
      .custom((value: string) => normalizeEmail(value))
      .max(254)
      .email({ minDomainSegments: 2 })
      .custom((value: string, helpers) =>
        isConsumerAddress(value, consumerDomains) ? helpers.error('email.consumerDomain') : value,
      )
      .rule({ message: '{{#label}} must be a company address, not a personal email provider' })
      .required(),
    password: password().required(),
    companyName: Joi.string().trim().min(1).max(100).required(),
  });
}

export interface SignInBody {
  email: string;
  password: string;
}

export function signInSchema(): Joi.ObjectSchema<SignInBody> {
  return Joi.object<SignInBody>({
    email: Joi.string().trim().custom((value: string) => normalizeEmail(value)).max(254).required(),
    password: Joi.string().max(128).required(),
  });
}

export interface ResetPasswordBody {
  currentPassword: string;
  password: string;
}

export function resetPasswordSchema(): Joi.ObjectSchema<ResetPasswordBody> {
  return Joi.object<ResetPasswordBody>({
    currentPassword: Joi.string().max(128).required(),
    password: password().required(),
  });
}

export interface RecoverBody {
  password: string;
}

/** The operator's recovery (lib/admin/recovery.ts): a new password, under sign-up's rules. */
export function recoverSchema(): Joi.ObjectSchema<RecoverBody> {
  return Joi.object<RecoverBody>({
    password: password().required(),
  });
}
