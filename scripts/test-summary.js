#!/usr/bin/env node
// Prints vitest's JSON report as the plain closing line CI reads: "N passed, N failed[, N skipped]".
// A build that failed before any test ran has no report: that prints "0 passed, 1 failed".
import { readFileSync } from 'node:fs';

let report;
try {
  report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
} catch {
  console.log('0 passed, 1 failed');
  process.exit(0);
}
// A test file that failed to load counts as a failure even though none of its tests ran.
const brokenFiles = (report.testResults ?? []).filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length;
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles} failed${skipped ? `, ${skipped} skipped` : ''}`);
