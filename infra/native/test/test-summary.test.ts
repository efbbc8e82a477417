import { describe, expect, it } from 'vitest'
import { parseVitestReport, summarize, summaryLine, type VitestReport } from '../test-summary.js'

const file = (status: string, ...tests: string[]) => ({ status, assertionResults: tests.map((s) => ({ status: s })) })
const report = (passed: number, failed: number, files: VitestReport['testResults'] = []): VitestReport =>
  ({ numPassedTests: passed, numFailedTests: failed, testResults: files })

describe('./lab test summary', () => {
  it('counts lint and typecheck as one check each, plus every test', () => {
    const summary = summarize({ lintPassed: true, typecheckPassed: true, vitest: { exitCode: 0, report: report(40, 0) } })
    expect(summaryLine(summary)).toBe('42 passed, 0 failed')
  })

  it('counts a failed lint and typecheck as failures', () => {
    expect(summarize({ lintPassed: false, typecheckPassed: false, vitest: { exitCode: 0, report: report(3, 0) } }))
      .toEqual({ passed: 3, failed: 2 })
  })

  it('adds failed tests to the failures', () => {
    expect(summarize({ lintPassed: true, typecheckPassed: true, vitest: { exitCode: 1, report: report(5, 2, [file('failed', 'passed', 'failed', 'failed')]) } }))
      .toEqual({ passed: 7, failed: 2 })
  })

  it('counts a test file that failed without a failed test (it did not load) as one failure', () => {
    const files = [file('failed'), file('passed', 'passed')]
    expect(summarize({ lintPassed: true, typecheckPassed: true, vitest: { exitCode: 1, report: report(1, 0, files) } }))
      .toEqual({ passed: 3, failed: 1 })
  })

  it('never reads a vitest crash as a pass: no report, or a non-zero exit with nothing failed, is one failure', () => {
    expect(summarize({ lintPassed: true, typecheckPassed: true, vitest: { exitCode: 1, report: undefined } })).toEqual({ passed: 2, failed: 1 })
    expect(summarize({ lintPassed: true, typecheckPassed: true, vitest: { exitCode: null, report: undefined } })).toEqual({ passed: 2, failed: 1 })
    expect(summarize({ lintPassed: true, typecheckPassed: true, vitest: { exitCode: 1, report: report(9, 0) } })).toEqual({ passed: 11, failed: 1 })
  })
})

describe('vitest JSON report', () => {
  it('reads the counts of a report', () => {
    const text = JSON.stringify({ numPassedTests: 3, numFailedTests: 1, numTotalTests: 4, testResults: [file('failed', 'failed')], success: false })
    expect(parseVitestReport(text)).toEqual({ numPassedTests: 3, numFailedTests: 1, testResults: [file('failed', 'failed')] })
  })

  it('rejects a missing, truncated or foreign file', () => {
    expect(parseVitestReport(undefined)).toBeUndefined()
    expect(parseVitestReport('{"numPassedTests": 3, "numFai')).toBeUndefined()
    expect(parseVitestReport('{"tests": []}')).toBeUndefined()
  })
})
