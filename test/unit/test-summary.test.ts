import { addLeg, addSkippedLeg, emptyTotals, summaryLine, type JestReport } from '../../scripts/test-summary.ts';

const report = (passed: number, failed: number, pending: number, todo = 0): JestReport => ({
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: pending,
  numTotalTests: passed + failed + pending + todo,
});

describe("npm test's closing line", () => {
  it('adds up the legs that ran: skipped and todo tests count as skipped', () => {
    const totals = emptyTotals();
    addLeg(totals, report(120, 0, 2));
    addLeg(totals, report(690, 1, 8, 1));
    expect(summaryLine(totals)).toBe('tests: 810 passed, 1 failed, 11 skipped');
  });

  it('counts every test of a leg that did not run (DynamoDB Local without Java) as skipped', () => {
    const totals = emptyTotals();
    const dynalite = report(690, 2, 7);
    addLeg(totals, dynalite);
    addSkippedLeg(totals, dynalite);
    expect(totals).toEqual({ passed: 690, failed: 2, skipped: 7 + 699 });
    expect(summaryLine(totals)).toBe('tests: 690 passed, 2 failed, 706 skipped');
  });
});
