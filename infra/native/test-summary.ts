/** The parts of vitest's JSON report (`--reporter=json`) the summary reads. */
export interface VitestReport {
  numPassedTests: number
  numFailedTests: number
  testResults: Array<{ status: string, assertionResults: Array<{ status: string }> }>
}

export interface CheckOutcomes {
  lintPassed: boolean
  typecheckPassed: boolean
  vitest: {
    exitCode: number | null
    /** Undefined when vitest wrote no (readable) report: it crashed before the end. */
    report: VitestReport | undefined
  }
}

export interface Summary { passed: number, failed: number }

/**
 * Lint and typecheck count as one check each, then every vitest test. A test file that failed without
 * a failed test (it did not load, a hook threw) counts as one failure, and so does a vitest run that
 * exited non-zero with nothing failed in its report, or left no report at all: a crash never reads as
 * a pass.
 */
export function summarize ({ lintPassed, typecheckPassed, vitest }: CheckOutcomes): Summary {
  const checks = { passed: Number(lintPassed) + Number(typecheckPassed), failed: Number(!lintPassed) + Number(!typecheckPassed) }
  if (vitest.report === undefined) return { passed: checks.passed, failed: checks.failed + 1 }
  const { report } = vitest
  const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length
  let failed = report.numFailedTests + brokenFiles
  if (failed === 0 && vitest.exitCode !== 0) failed = 1
  return { passed: checks.passed + report.numPassedTests, failed: checks.failed + failed }
}

export function summaryLine ({ passed, failed }: Summary): string {
  return `${passed} passed, ${failed} failed`
}

/** Reads the report if it has the expected shape; undefined otherwise. */
export function parseVitestReport (text: string | undefined): VitestReport | undefined {
  if (text === undefined) return undefined
  try {
    const json = JSON.parse(text) as Partial<VitestReport>
    if (typeof json.numPassedTests !== 'number' || typeof json.numFailedTests !== 'number' || !Array.isArray(json.testResults)) return undefined
    return { numPassedTests: json.numPassedTests, numFailedTests: json.numFailedTests, testResults: json.testResults }
  } catch {
    return undefined
  }
}
