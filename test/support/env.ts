// Importing a handler module builds the production App from the environment (that is how a cold
// start fails fast). Tests wire their own App per table, so this one only has to be valid.
process.env.TABLE_NAME ??= 'unused-by-tests';
process.env.JWT_SECRET_FILE ??= '/unused/by/tests';
process.env.SERVICE_TOKEN_GRACE_HOURS ??= '24';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// createAdminAccount refuses to load without a claim mode (lib/admin/claim.ts); npm start's is `open`.
process.env.CLAIM_MODE ??= 'open';
