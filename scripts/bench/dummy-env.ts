/**
 * The environment of a cold start: the dummy configuration a handler module reads at load (it builds
 * its production App from it; nothing calls it: DYNAMODB_ENDPOINT names a port nobody listens on).
 * No credentials, no network. Side-effect free, so that the bench's parent and the tests can use it.
 */
export const DUMMY_ENV: Readonly<Record<string, string>> = {
  TABLE_NAME: 'bench-table',
  JWT_SECRET_FILE: '/nonexistent/bench-jwt-secret',
  AWS_REGION: 'us-east-1',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
  SELF_HOSTED: 'true',
  POWERTOOLS_SERVICE_NAME: 'databrain-admin-api',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  // createAdminAccount refuses to start without one; `open` reads no secret.
  CLAIM_MODE: 'open',
};
