import type { Command } from '../cli-args.js'
import { withDependencies } from '../components/registry.js'
import { endOf, followLogs } from '../log-follow.js'
import { DETACHED_UP, processOwner } from '../leases.js'
import { ensureComponents, releaseComponents } from '../orchestrator.js'
import type { CommandContext } from './context.js'
import { prefixedWriter } from './logs.js'
import { table } from './status.js'
import { upSummary } from './summary.js'

export async function up (command: Extract<Command, { name: 'up' }>, context: CommandContext): Promise<number> {
  const { paths, components, reporter } = context
  const wanted = components.filter((c) => !command.infraOnly || c.kind === 'infra').map((c) => c.name)
  const targets = withDependencies(components, wanted)
  // Foreground mode shows the services' logs from this start on (the infrastructure's with --infra-only).
  const followed = targets.filter((c) => c.kind === 'service').length > 0 ? targets.filter((c) => c.kind === 'service') : targets
  const sources = followed.map((c) => ({ name: c.name, file: paths.log(c.name), offset: endOf(paths.log(c.name)) }))

  // -d: the lab stays up for whoever comes (until ./lab down); in the foreground, for as long as we run.
  const owner = command.detach ? DETACHED_UP : processOwner()
  // In the foreground, Ctrl-C (even during the start) stops the lab; a second one gives up waiting.
  const stop = new AbortController()
  if (!command.detach) {
    const onSignal = () => {
      if (stop.signal.aborted) process.exit(130)
      stop.abort()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  }
  reporter.line(`starting ${targets.map((c) => c.name).join(', ')}${command.fast ? ' (fast mode: no fsync)' : ''}`)
  let started: string[]
  try {
    started = (await ensureComponents(paths, targets, { fast: command.fast, log: reporter.line, owner })).started
  } catch (err) {
    reporter.error((err as Error).message)
    if (stop.signal.aborted) await releaseComponents(paths, owner, targets.map((c) => c.name), components, reporter.line)
    else reporter.line('see ./lab status and ./lab logs <name>; ./lab down stops what runs')
    return 1
  }
  const total = (reporter.elapsedMs() / 1000).toFixed(1)
  reporter.line(`all ${targets.length} healthy after ${total} s (started ${started.length}, already running ${targets.length - started.length})`)
  reporter.print(table(upSummary(targets, paths).map(([label, value]) => [`  ${label}`, value])))
  if (command.detach) return 0

  if (!stop.signal.aborted) reporter.line('following logs; Ctrl-C stops the lab')
  await followLogs(sources, { write: prefixedWriter(reporter, followed.map((c) => c.name)) }, stop.signal)
  reporter.line('stopping')
  await releaseComponents(paths, owner, targets.map((c) => c.name), components, reporter.line)
  return 0
}
