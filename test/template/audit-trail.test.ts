import { AUDITED_FUNCTIONS, FUNCTIONS, functionLogicalId, loadTemplate, logGroupLogicalId, resourcesOfType, type Stage } from './template.ts';

/* The audit trail's saved query and the metrics' namespace, as docs/operations.md describes them. */
describe.each(['prod', 'dev'] as Stage[])('stage %s', (stage) => {
  const template = loadTemplate(stage);

  it('saves one Logs Insights query for the audit trail, over every function\'s log group but the authorizer\'s and the console\'s', () => {
    const queries = resourcesOfType(template, 'AWS::Logs::QueryDefinition');
    expect(queries.map(([id]) => id)).toEqual(['AuditTrailQuery']);
    const properties = queries[0]![1].Properties!;
    expect(properties.Name).toBe(`databrain-admin-api-${stage}/audit-trail`);
    // A function added later records its events where the query does not look until it is listed.
    const expected = AUDITED_FUNCTIONS.map((fn) => ({ Ref: logGroupLogicalId(fn) }));
    expect([...properties.LogGroupNames].sort(byRef)).toEqual(expected.sort(byRef));
    expect(properties.QueryString).toMatch(/^fields @timestamp, audit, outcome, actor, companyId,.*\n\| filter ispresent\(audit\)\n\| sort @timestamp desc\n/);
  });

  it('gives every function the stage\'s metrics namespace', () => {
    for (const fn of Object.keys(FUNCTIONS)) {
      const [, fnResource] = resourcesOfType(template, 'AWS::Lambda::Function').find(([id]) => id === functionLogicalId(fn))!;
      const namespace = fnResource.Properties?.Environment?.Variables?.POWERTOOLS_METRICS_NAMESPACE;
      expect({ fn, namespace }).toEqual({ fn, namespace: `databrain-admin-api/${stage}` });
    }
  });
});

const byRef = (a: { Ref: string }, b: { Ref: string }) => a.Ref.localeCompare(b.Ref);
