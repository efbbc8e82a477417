import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { declaredNames } from './lib/functions.js'
import { readSource, REPO_ROOT } from './lib/source-files.js'
import { ARCHITECTURE_DOC, BASELINE_HEADING, CURRENT_HEADING, countWalk, parseWalk, readArchitectureDoc, statedCounts } from './lib/walk.js'

/**
 * The commit the baseline walk was read at: the redesign moves and renames what it names, so its files
 * and functions are checked as they were then (git show), not in today's tree.
 */
const BASELINE_COMMIT = '57f364f'

/** A file's text at a commit, or undefined when the commit has no such file. */
function fileAt (commit: string, file: string): string | undefined {
  try {
    return execFileSync('git', ['show', `${commit}:${file}`], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 })
  } catch {
    return undefined
  }
}

/**
 * The purchase walk of docs/architecture.md (issue 12, "Targets"): the path a reader follows from the
 * gateway's POST /orders to the ledger row and back to the saga's confirmation. The page cannot lie:
 * every file and function it names existed at the commit it was read at, and the counts it states are
 * the ones computed from its table. The target (at most 20 files, 2 returns) is not asserted on the
 * baseline, the code before the redesign.
 */
describe(`${ARCHITECTURE_DOC}: ${BASELINE_HEADING}`, () => {
  const markdown = readArchitectureDoc()
  const steps = parseWalk(markdown)
  const texts = new Map<string, string | undefined>()
  const textOf = (file: string) => {
    if (!texts.has(file)) texts.set(file, fileAt(BASELINE_COMMIT, file))
    return texts.get(file)
  }

  it(`is read at a commit this clone holds (${BASELINE_COMMIT})`, () => {
    expect(() => execFileSync('git', ['cat-file', '-e', `${BASELINE_COMMIT}^{commit}`], { cwd: REPO_ROOT, stdio: 'ignore' })).not.toThrow()
  })

  it('numbers its steps 1, 2, 3, ... in order', () => {
    expect(steps.length).toBeGreaterThan(0)
    expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i + 1))
  })

  it('names only files that existed then', () => {
    const missing = steps.filter(({ file }) => textOf(file) === undefined).map(({ step, file }) => `step ${step}: ${file}`)
    expect(missing).toEqual([])
  })

  it('names only functions declared then in the file named beside them', () => {
    const declared = new Map<string, Set<string>>()
    const missing = steps
      .filter(({ file }) => textOf(file) !== undefined)
      .filter(({ file, fn }) => {
        if (!declared.has(file)) declared.set(file, declaredNames(file, textOf(file)))
        return declared.get(file)?.has(fn) !== true
      })
      .map(({ step, file, fn }) => `step ${step}: ${fn} is not declared in ${file}`)
    expect(missing).toEqual([])
  })

  it('states the files, returns, workspaces and wiring-only files its table counts', () => {
    const counts = countWalk(steps)
    const files = [...new Set(steps.map((s) => s.file))]
    const lines = files.reduce((sum, file) => sum + (textOf(file)?.split('\n').length ?? 1) - 1, 0)
    console.log(`purchase walk (baseline): ${counts.files} files, ${counts.returns} returns, ${steps.length} steps, ` +
      `${lines} lines in ${counts.workspaces} workspaces, ${counts.wiringOnly} files opened only for wiring (target: <= 20 files, <= 2 returns)`)
    expect(statedCounts(markdown)).toEqual(counts)
  })
})

/** The target for the walk after the redesign (issue 12, "Targets"). */
const TARGET = { files: 20, returns: 2 }

/**
 * The same walk through today's code, checked live against the working tree: every file it names
 * exists and declares the function named beside it, and the counts it states are the computed ones.
 * The target is asserted only once the walk meets it: today it does not (48 files, 6 returns), so the
 * test prints the counts next to the target instead of failing on every run. When a redesign step
 * brings the walk within the target, the assertion below takes over and keeps it there.
 */
describe(`${ARCHITECTURE_DOC}: ${CURRENT_HEADING}`, () => {
  const markdown = readArchitectureDoc()
  const steps = parseWalk(markdown, CURRENT_HEADING)
  const counts = countWalk(steps)
  const meetsTarget = counts.files <= TARGET.files && counts.returns <= TARGET.returns

  it('numbers its steps 1, 2, 3, ... in order', () => {
    expect(steps.length).toBeGreaterThan(0)
    expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i + 1))
  })

  it('names only files of the working tree', () => {
    const missing = steps.filter(({ file }) => !existsSync(join(REPO_ROOT, file))).map(({ step, file }) => `step ${step}: ${file}`)
    expect(missing).toEqual([])
  })

  it('names only functions declared in the file named beside them', () => {
    const declared = new Map<string, Set<string>>()
    const missing = steps
      .filter(({ file }) => existsSync(join(REPO_ROOT, file)))
      .filter(({ file, fn }) => {
        if (!declared.has(file)) declared.set(file, declaredNames(file))
        return declared.get(file)?.has(fn) !== true
      })
      .map(({ step, file, fn }) => `step ${step}: ${fn} is not declared in ${file}`)
    expect(missing).toEqual([])
  })

  it('states the files, returns, workspaces and wiring-only files its table counts', () => {
    const files = [...new Set(steps.map((s) => s.file))].filter((file) => existsSync(join(REPO_ROOT, file)))
    const lines = files.reduce((sum, file) => sum + readSource(file).split('\n').length - 1, 0)
    console.log(`purchase walk (current): ${counts.files} files, ${counts.returns} returns, ${steps.length} steps, ` +
      `${lines} lines in ${counts.workspaces} workspaces, ${counts.wiringOnly} files opened only for wiring ` +
      `(target: <= ${TARGET.files} files, <= ${TARGET.returns} returns; ${meetsTarget ? 'met: add its assertion' : 'not met yet'})`)
    expect(statedCounts(markdown, CURRENT_HEADING)).toEqual(counts)
  })

  // The target (<= 20 files, <= 2 returns) is not met yet (48 files, 6 returns): no test claims it.
  // The redesign step that meets it adds the assertion here; until then the counts are printed above.
})

describe('countWalk, the issue\'s counting rule', () => {
  const step = (n: number, file: string) => ({ step: n, file, fn: 'f', reason: 'call' as const, why: '' })

  it('counts a file once and reading on in the same file as no return', () => {
    expect(countWalk([step(1, 'a.ts'), step(2, 'a.ts'), step(3, 'b.ts')])).toMatchObject({ files: 2, returns: 0 })
  })

  it('counts each reopening of a file left earlier as a return', () => {
    expect(countWalk([step(1, 'a.ts'), step(2, 'b.ts'), step(3, 'a.ts'), step(4, 'c.ts'), step(5, 'b.ts')])).toMatchObject({ files: 3, returns: 2 })
  })
})
