// Prints "N passed, N failed" from vitest's JSON report; exits 1 when the report is missing or
// counts no test, so a run that executed nothing cannot pass.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.data/test-results.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.log(`test report ${file} is missing or unreadable: ${error.message}`);
  console.log('0 passed, 0 failed');
  process.exit(1);
}

const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(passed === 0 || failed > 0 ? 1 : 0);
