import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * What the production bundles get instead of the SDK's default credential chain
 * (@aws-sdk/credential-provider-node): serverless.yml's custom.esbuild.alias puts this module in its
 * place, for every client the SDK builds (DynamoDB, Secrets Manager). Nothing imports it by name;
 * the tests and scripts, which run lib/ unbundled, keep the SDK's own chain.
 *
 * One provider: the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, and
 * AWS_CREDENTIAL_EXPIRATION / AWS_ACCOUNT_ID when set). That is where Lambda puts the execution
 * role's credentials for the nodejs24.x runtime, and the first link of the default chain, so in
 * Lambda the chain never went further. `npm start` sets dummy ones there too (scripts/start.ts).
 * What is left out never answers in Lambda: SSO, profiles in ~/.aws (and AWS_PROFILE), a
 * credential_process, a web identity token file, the container credentials endpoint, EC2 instance
 * metadata. Without credentials in the environment every AWS call fails at once with the SDK's
 * CredentialsProviderError (logged; 500), never with other credentials. The chain's code, with the
 * STS and SSO clients it carries, was about 130 KiB of every bundle and a fifth of the cold start
 * (docs/performance.md).
 */
export const defaultProvider = fromEnv;
