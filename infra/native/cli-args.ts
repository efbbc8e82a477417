import { parseArgs } from 'node:util'

export type Command =
  | { name: 'up', detach: boolean, infraOnly: boolean, fast: boolean }
  | { name: 'down', wipe: boolean }
  | { name: 'status' }
  | { name: 'logs', names: string[], follow: boolean, requestId?: string, format: LogFormat }
  | { name: 'test', keepInfra: boolean, vitestArgs: string[] }
  | { name: 'help' }

/** How `./lab logs` shows JSON lines: pino-pretty on a terminal (auto), or always one way. */
export type LogFormat = 'auto' | 'pretty' | 'json'

/** A command line the CLI cannot run: it prints the message and the help, and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Runs a parseArgs call, turning its complaints into usage errors. */
function usage<T> (parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** Parses `./lab <command> [options]` (argv without node and the script). */
export function parseCommand (argv: string[]): Command {
  const [word = 'help', ...rest] = argv
  switch (word) {
    case 'up': {
      const { values } = usage(() => parseArgs({
        args: rest,
        options: {
          detach: { type: 'boolean', short: 'd', default: false },
          'infra-only': { type: 'boolean', default: false },
          fast: { type: 'boolean', default: false }
        }
      }))
      return { name: 'up', detach: values.detach, infraOnly: values['infra-only'], fast: values.fast }
    }
    case 'down': {
      const { values } = usage(() => parseArgs({ args: rest, options: { wipe: { type: 'boolean', default: false } } }))
      return { name: 'down', wipe: values.wipe }
    }
    case 'status':
      usage(() => parseArgs({ args: rest, options: {} }))
      return { name: 'status' }
    case 'logs': {
      const { values, positionals } = usage(() => parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          follow: { type: 'boolean', short: 'f', default: false },
          req: { type: 'string' },
          pretty: { type: 'boolean', default: false },
          json: { type: 'boolean', default: false }
        }
      }))
      if (values.pretty && values.json) throw new UsageError('logs: --pretty and --json exclude each other')
      const requestId = values.req
      const format: LogFormat = values.pretty ? 'pretty' : values.json ? 'json' : 'auto'
      return { name: 'logs', names: positionals, follow: values.follow, format, ...(requestId === undefined ? {} : { requestId }) }
    }
    case 'test': {
      // Everything but our own flag goes to vitest untouched.
      return { name: 'test', keepInfra: rest.includes('--keep-infra'), vitestArgs: rest.filter((a) => a !== '--keep-infra') }
    }
    case 'help': case '--help': case '-h':
      return { name: 'help' }
    default:
      throw new UsageError(`unknown command '${word}'`)
  }
}
