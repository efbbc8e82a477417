import { rmSync } from 'node:fs'
import type { Command } from '../cli-args.js'
import { clearLeases, processOwner, usedByOthers } from '../leases.js'
import { exclusively, stopComponents } from '../orchestrator.js'
import { shortPath } from '../paths.js'
import type { CommandContext } from './context.js'

/** Stops everything, whoever started it and whoever uses it: the user asked. */
export async function down (command: Extract<Command, { name: 'down' }>, { paths, components, reporter }: CommandContext): Promise<number> {
  const t0 = Date.now()
  await exclusively(paths, reporter.line, async () => {
    const users = new Set([...usedByOthers(paths, processOwner()).values()].flat().filter((u) => u !== './lab up'))
    if (users.size > 0) reporter.line(`note: ${[...users].join(', ')} (a test run?) was still using the lab`)
    clearLeases(paths)
    await stopComponents(paths, components, reporter.line)
  })
  reporter.line(`all stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  if (command.wipe) {
    rmSync(paths.dataRoot, { recursive: true, force: true })
    reporter.line(`deleted ${shortPath(paths.dataRoot)}`)
  }
  return 0
}
