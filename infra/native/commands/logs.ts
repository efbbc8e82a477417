import { readdirSync } from 'node:fs'
import { basename } from 'node:path'
import { createPrettyFormatter, type LineFormatter } from '@lab/platform/logger'
import type { Command, LogFormat } from '../cli-args.js'
import { followLogs, printLogs, tailOffset, type LogSource } from '../log-follow.js'
import type { Reporter } from '../progress.js'
import type { CommandContext } from './context.js'

const COLOURS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red'] as const

/**
 * How the services' JSON lines are shown: pino-pretty's lines for a person at a terminal (`auto`), the
 * JSON as written otherwise (a pipe, a file: `./lab logs | grep` sees the fields); --pretty and --json force one.
 * Lines that are not JSON (Kafka's, PostgreSQL's) pass through either way. Undefined: leave lines as they are.
 */
export function lineFormatter (format: LogFormat, stdout: NodeJS.WriteStream = process.stdout): LineFormatter | undefined {
  const pretty = format === 'pretty' || (format === 'auto' && stdout.isTTY === true)
  return pretty ? createPrettyFormatter({ colorize: stdout.isTTY === true && stdout.hasColors() }) : undefined
}

/**
 * Writes `name | line`, names aligned and coloured (on a TTY) so interleaved logs stay readable; each
 * line of a multi-line pretty entry (an error's stack) keeps the prefix.
 */
export function prefixedWriter (reporter: Reporter, names: string[], format: LineFormatter | undefined = lineFormatter('auto')): (name: string, line: string) => void {
  const width = Math.max(...names.map((n) => n.length))
  return (name, line) => {
    const colour = COLOURS[Math.max(0, names.indexOf(name)) % COLOURS.length] ?? 'cyan'
    const prefix = reporter.style(colour, `${name.padEnd(width)} |`)
    const shown = format === undefined ? line : format(line)
    reporter.print(shown.split('\n').map((part) => `${prefix} ${part}`).join('\n'))
  }
}

/** Log files present in logs/, by component name. */
function existingLogs (logsDir: string): string[] {
  try {
    return readdirSync(logsDir).filter((f) => f.endsWith('.log')).map((f) => basename(f, '.log')).sort()
  } catch {
    return []
  }
}

export async function logs (command: Extract<Command, { name: 'logs' }>, { paths, components, reporter }: CommandContext): Promise<number> {
  // `./lab logs | head` closes the pipe early: that ends the command, quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); else throw err })
  const known = existingLogs(paths.logsDir)
  const order = components.map((c) => c.name)
  const names = command.names.length > 0 ? command.names : known.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99))
  const missing = names.filter((n) => !known.includes(n) && !order.includes(n))
  if (missing.length > 0) {
    reporter.error(`no log for ${missing.join(', ')} (logs: ${known.join(', ') || 'none yet'})`)
    return 1
  }
  // Following without a filter starts like `tail -f`: from the last lines, not the whole history.
  const start = (file: string) => (command.follow && command.requestId === undefined ? tailOffset(file, 10) : 0)
  const sources: LogSource[] = names.map((name) => ({ name, file: paths.log(name), offset: start(paths.log(name)) }))
  const options = { write: prefixedWriter(reporter, names, lineFormatter(command.format)), ...(command.requestId === undefined ? {} : { filter: command.requestId }) }
  if (!command.follow) {
    printLogs(sources, options)
    return 0
  }
  const stop = new AbortController()
  process.once('SIGINT', () => stop.abort())
  process.once('SIGTERM', () => stop.abort())
  await followLogs(sources, options, stop.signal)
  return 0
}
