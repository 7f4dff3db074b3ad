import { bundleReport, type BundleReport } from '../../scripts/bundles.ts';

/*
 * The production bundles, built as serverless-esbuild builds them. The service-token authorizer is
 * on the path of every service-level request: it must not carry validation, JWT or password code.
 */
let reports: BundleReport[];
beforeAll(async () => {
  reports = await bundleReport();
}, 60_000);

const bundle = (fn: string): BundleReport => {
  const report = reports.find((r) => r.fn === fn);
  if (!report) throw new Error(`no function ${fn} in serverless.yml`);
  return report;
};

describe.each(['serviceTokenAuthorizer', 'getServiceToken'])('the %s bundle', (fn) => {
  it('contains neither Joi, jose, nor the password code', () => {
    const { inputs } = bundle(fn);
    expect(inputs.some((file) => file.includes('node_modules/joi/'))).toBe(false);
    expect(inputs.some((file) => file.includes('node_modules/@hapi/'))).toBe(false);
    expect(inputs.some((file) => file.includes('node_modules/jose/'))).toBe(false);
    expect(inputs).not.toContain('lib/auth/passwords.ts');
    expect(inputs).not.toContain('lib/validation.ts');
    // The control: it does carry what it needs.
    expect(inputs).toContain('lib/service-token-auth.ts');
  });
});

it('builds every function of serverless.yml', () => {
  expect(reports.map((r) => r.fn).sort()).toEqual([
    'createAdminAccount', 'createAdminJwt', 'createServiceToken', 'getServiceToken',
    'resetAdminPassword', 'rotateServiceToken', 'serviceTokenAuthorizer',
  ]);
  for (const { bytes } of reports) expect(bytes).toBeGreaterThan(0);
});
