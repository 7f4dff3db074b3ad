/**
 * The error codes of CONTRACT.md, each knowing its status and message. Domain code throws these;
 * `lib/http/pipeline.lean.ts` maps them to responses in one place. Anything that is not an ApiError becomes
 * `500 INTERNAL_SERVER_ERROR` there, with the detail in the log only.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export class InvalidRequestBody extends ApiError {
  constructor(message: string) {
    super(400, 'INVALID_REQUEST_BODY', message);
  }
}

export class UnsupportedMediaType extends ApiError {
  constructor() {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
  }
}

export class PayloadTooLarge extends ApiError {
  constructor(limitBytes: number) {
    super(413, 'PAYLOAD_TOO_LARGE', `Request body must not exceed ${limitBytes} bytes`);
  }
}

export class NotSelfHosted extends ApiError {
  constructor() {
    super(500, 'SELFHOSTED_APP_ERROR', 'This feature is only available for self-hosted instances');
  }
}

/** 401 with a Bearer challenge; the message never says which check failed. */
export class AuthenticationError extends ApiError {
  constructor(message = 'Invalid or missing credentials', status = 401) {
    super(status, 'AUTHENTICATION_ERROR', message, status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
  }
}

export class AccountAlreadyExists extends ApiError {
  constructor() {
    super(400, 'INVALID_REQUEST', 'Your company account is already created, please sign in');
  }
}

/**
 * The claim of a deployed instance (`POST /api/v2/admin-account`) needs proof that the caller
 * administers the stack (stage parameter claimMode, lib/admin/claim.ts). Checked before the body.
 */
export class SetupCodeRequired extends ApiError {
  constructor() {
    super(403, 'SETUP_CODE_REQUIRED', 'This instance can only be claimed with its setup code (databrain-admin bootstrap)');
  }
}

/** claimMode `iam`: the claim came through API Gateway, and only a direct invocation may claim. */
export class ClaimByInvocationOnly extends ApiError {
  constructor() {
    super(403, 'CLAIM_BY_INVOCATION_ONLY', 'This instance can only be claimed by its operator (databrain-admin bootstrap)');
  }
}

/** The operator's recovery function (lib/admin/recovery.ts) answers direct invocations only. */
export class RecoveryByInvocationOnly extends ApiError {
  constructor() {
    super(403, 'RECOVERY_BY_INVOCATION_ONLY', 'Admin access can only be recovered by the operator (databrain-admin recover)');
  }
}

/** Wrong password and unknown email alike: nothing here tells an attacker which addresses exist. */
export class InvalidCredentials extends ApiError {
  constructor() {
    super(400, 'INVALID_CREDENTIALS', 'Invalid credentials');
  }
}

/** 429 with `Retry-After` in whole seconds (rounded up): failed sign-ins, or wrong current passwords on a reset. */
export class TooManyAttempts extends ApiError {
  static readonly SIGN_IN = 'Too many failed sign-in attempts, try again later';
  static readonly RESET_PASSWORD = 'Too many failed password reset attempts, try again later';

  constructor(retryAfterSeconds: number, message: string = TooManyAttempts.SIGN_IN) {
    super(429, 'TOO_MANY_ATTEMPTS', message, { 'Retry-After': String(retryAfterSeconds) });
  }
}

export class AccountNotFound extends ApiError {
  constructor() {
    super(500, 'ACCOUNT_NOT_FOUND', 'ACCOUNT_NOT_FOUND');
  }
}

export class InternalServerError extends ApiError {
  constructor() {
    super(500, 'INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR');
  }
}

/** A service token that is not (or no longer) a credential at all. */
export class InvalidServiceToken extends AuthenticationError {
  constructor(status: 400 | 401) {
    super('Invalid Service Token', status);
  }
}

export class ExpiredServiceToken extends ApiError {
  constructor() {
    super(400, 'EXPIRED_SERVICE_TOKEN', 'Service token is already expired');
  }
}

export class ResetPasswordError extends ApiError {
  constructor(message: string) {
    super(400, 'RESET_PASSWORD_ERROR', message);
  }
}

/** Revocation of an id that names no valid token (unknown, expired, or already revoked). */
export class ServiceTokenNotFound extends ApiError {
  constructor() {
    super(404, 'SERVICE_TOKEN_NOT_FOUND', 'Service token not found');
  }
}

/**
 * The stage publishes the service token in Secrets Manager and rotates it there (docs/token-management.md,
 * "The published service token"): a create, rotation or revocation of the current token through
 * the API would leave the secret holding a token that no longer works, so they are refused.
 */
export class ServiceTokenManaged extends ApiError {
  constructor(message: string) {
    super(409, 'SERVICE_TOKEN_MANAGED', message);
  }
}
