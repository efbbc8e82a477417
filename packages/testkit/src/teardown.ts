import { afterAll, beforeAll, onTestFinished } from 'vitest'

type Teardown = () => Promise<void> | void

/** The current file's shared fixtures, closed after its tests (set up by beforeAllWithTeardown). */
let fileTeardowns: Teardown[] | undefined
/** True while a teardown registered now belongs to the file (its setup, or untilFileEnds), not to a test. */
let fileScopeOpen = false

/**
 * Called by the helper that starts a thing (an app, a process, a database), so that no test has to
 * close it (STYLE.md, "Tests"). Inside a test it runs when the test ends (`onTestFinished`); inside
 * `beforeAllWithTeardown` (or `untilFileEnds`) once the file's tests are done, last started first.
 */
export function registerTeardown (teardown: Teardown): void {
  if (fileScopeOpen && fileTeardowns !== undefined) {
    fileTeardowns.push(teardown)
    return
  }
  try {
    onTestFinished(async () => { await teardown() })
  } catch (err) {
    throw new Error('this helper closes what it starts: call it inside a test, or inside beforeAllWithTeardown() (@lab/testkit) for the whole file', { cause: err })
  }
}

/**
 * `beforeAll` for a file's shared fixtures: what the helpers start in `setup` registers its teardown,
 * and every one of them runs after the file's tests (also when `setup` fails halfway), last first.
 */
export function beforeAllWithTeardown (setup: () => Promise<void>): void {
  const teardowns: Teardown[] = []
  beforeAll(async () => {
    fileTeardowns = teardowns
    await untilFileEnds(setup)
  })
  afterAll(async () => {
    const failures: unknown[] = []
    for (const teardown of teardowns.splice(0).reverse()) {
      try {
        await teardown()
      } catch (err) {
        failures.push(err)
      }
    }
    if (failures.length === 1) throw failures[0]
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} teardowns failed`)
  })
}

/**
 * Runs `start` inside a test, but lets what it starts live until the file's tests are done (a second
 * instance that a crash test starts and the next tests keep using). Needs beforeAllWithTeardown in the file.
 */
export async function untilFileEnds<T> (start: () => Promise<T>): Promise<T> {
  if (fileTeardowns === undefined) throw new Error('untilFileEnds() needs beforeAllWithTeardown() in the same file')
  const outer = fileScopeOpen
  fileScopeOpen = true
  try {
    return await start()
  } finally {
    fileScopeOpen = outer
  }
}
