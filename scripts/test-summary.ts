// The counts behind `npm test`'s closing line, `tests: N passed, N failed, N skipped`.

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

/** The part of Jest's `--json` report the summary reads. */
export interface JestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTotalTests: number;
}

export const emptyTotals = (): Totals => ({ passed: 0, failed: 0, skipped: 0 });

/** A leg that ran: its passed, failed and skipped (pending, todo) tests. */
export function addLeg(totals: Totals, report: JestReport): void {
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  // Jest's total also holds `todo` tests, which it does not count as pending.
  totals.skipped += report.numTotalTests - report.numPassedTests - report.numFailedTests;
}

/**
 * A leg that did not run at all (e.g. DynamoDB Local without Java): each of its tests counts as
 * skipped. `sameSuite` is the report of a leg that ran the very same tests (the same project on
 * another engine), so its total is the number of tests this leg would have run.
 */
export function addSkippedLeg(totals: Totals, sameSuite: JestReport): void {
  totals.skipped += sameSuite.numTotalTests;
}

export const summaryLine = ({ passed, failed, skipped }: Totals): string =>
  `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
