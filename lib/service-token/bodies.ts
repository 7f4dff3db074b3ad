import Joi from 'joi';
import { canonicalUuid } from '../credentials/secret.ts';
import { plainlyNotRandom } from './token.ts';

/**
 * A service token: a random (v4) UUID in any common spelling, returned in canonical form. One whose
 * random part is plainly not random (token.ts) gets Joi's own message for an invalid GUID.
 */
function serviceToken(): Joi.StringSchema {
  return Joi.string()
    .guid({ version: 'uuidv4' })
    .custom((value: string, helpers) => {
      const token = canonicalUuid(value);
      return plainlyNotRandom(token) ? helpers.error('string.guid') : token;
    });
}

export interface CreateServiceTokenBody {
  token: string;
}

export function createServiceTokenSchema(): Joi.ObjectSchema<CreateServiceTokenBody> {
  return Joi.object<CreateServiceTokenBody>({
    token: serviceToken().required(),
  });
}

/** The grace period of a rotated token, in seconds: a number or a numeric string, 0 … 7 days. */
export const MAX_GRACE_SECONDS = 7 * 24 * 60 * 60;
function graceSeconds(): Joi.NumberSchema {
  return Joi.number().integer().min(0).max(MAX_GRACE_SECONDS);
}

export interface RotateWithAdminBody {
  token: string;
  expireAt: number;
}

export function rotateWithAdminSchema(): Joi.ObjectSchema<RotateWithAdminBody> {
  return Joi.object<RotateWithAdminBody>({
    token: serviceToken().required(),
    expireAt: graceSeconds().required(),
  });
}

export interface RotateWithTokenBody {
  expireAt: number;
}

export function rotateWithTokenSchema(): Joi.ObjectSchema<RotateWithTokenBody> {
  return Joi.object<RotateWithTokenBody>({
    expireAt: graceSeconds().required(),
  });
}

export interface RevokeWithAdminBody {
  id: string;
}

/**
 * Revocation form a: the token's id. Any non-empty string: an id of the wrong shape names no valid
 * token, and answers 404 like any other unknown id.
 */
export function revokeWithAdminSchema(): Joi.ObjectSchema<RevokeWithAdminBody> {
  return Joi.object<RevokeWithAdminBody>({
    id: Joi.string().max(100).required(),
  });
}

/** No fields at all (a missing body reads as `{}`): revocation form b, and the listing. */
export type EmptyBody = Record<string, never>;
export type RevokeWithTokenBody = EmptyBody;

export function emptyBodySchema(): Joi.ObjectSchema<EmptyBody> {
  return Joi.object<EmptyBody>({});
}
