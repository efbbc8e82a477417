import type { Experiment, ExperimentOutcome, Verdict } from './types.js'
import { formatMeasured } from './verdict.js'

export interface ExperimentResult {
  experiment: Pick<Experiment, 'id' | 'name' | 'title' | 'hypothesis' | 'fault'>
  short: boolean
  startedAt: string
  endedAt: string
  before: Verdict[]
  after: Verdict[]
  outcome: ExperimentOutcome
  /** Set when the run itself failed (an error, not a verdict). */
  error?: string
  passed: boolean
}

const cell = (s: string) => s.replace(/\|/g, '\\|')

function verdictTable (verdicts: Verdict[]): string[] {
  return [
    '| verdict | expectation | measured | threshold |',
    '|---|---|---:|---|',
    ...verdicts.map((v) => `| ${v.pass ? '**PASS**' : '**FAIL**'} | ${cell(v.name)}${v.note === undefined ? '' : ` (${cell(v.note)})`} | ${cell(formatMeasured(v))} | ${cell(v.threshold)} |`)
  ]
}

/** The report a user reads: the hypothesis, each verdict with its measured value and threshold, the figures, the chart. */
export function markdownReport (result: ExperimentResult, chartFile: string | undefined): string {
  const { experiment: e, outcome: o } = result
  const lines = [
    `# Experiment ${e.id}: ${e.title}${result.short ? ' (short version)' : ''}`,
    '',
    `**${result.passed ? 'PASS' : 'FAIL'}** — ${result.startedAt} → ${result.endedAt}`,
    '',
    `**Hypothesis.** ${e.hypothesis}`,
    '',
    `**Fault.** ${e.fault}`,
    ''
  ]
  if (result.error !== undefined) lines.push(`**The run failed:** ${result.error}`, '')
  lines.push('## Steady state before', '', ...verdictTable(result.before), '')
  lines.push('## Expectations', '', ...verdictTable(o.verdicts), '')
  if (o.figures.length > 0) lines.push('## Figures', '', '| figure | value |', '|---|---|', ...o.figures.map((f) => `| ${cell(f.label)} | ${cell(f.value)} |`), '')
  for (const table of o.sideBySide ?? []) {
    lines.push(`## ${table.title}`, '', `| | ${table.columns.map(cell).join(' | ')} |`, `|---|${table.columns.map(() => '---:').join('|')}|`)
    for (const row of table.rows) lines.push(`| ${cell(row.label)} | ${row.values.map(cell).join(' | ')} |`)
    lines.push('')
  }
  lines.push('## Steady state after (recovery)', '', ...verdictTable(result.after), '')
  if (chartFile !== undefined) lines.push('## Over time', '', `![key series, the fault window shaded](${chartFile})`, '')
  if (o.notes.length > 0) lines.push('## Notes', '', ...o.notes.map((n) => `- ${n}`), '')
  return lines.join('\n')
}

/** The lines printed at the end of a run. */
export function summaryLines (result: ExperimentResult): string[] {
  return [
    ...[...result.before, ...result.outcome.verdicts, ...result.after].map((v) => `  ${v.pass ? 'PASS' : 'FAIL'}  ${v.name}: ${formatMeasured(v)} (${v.threshold})`),
    ...(result.error === undefined ? [] : [`  ERROR ${result.error}`])
  ]
}
