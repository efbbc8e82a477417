import { parseArgs } from 'node:util'

export interface BenchOptions {
  durationSeconds: number
  connections: number
  /** Restart the lab even while a test run still uses it. */
  force: boolean
}

export const USAGE = `usage: ./lab bench [--duration <seconds>] [--connections <n>] [--force]
       ./lab bench checkout|consumer|inventory|observability|all [options]   (each has --help)

Restarts the lab (./lab down, keeping data; then ./lab up -d, timed), then measures with autocannon:
a bare Fastify hello-world (the ceiling), the catalog's product page on a cache miss and on a hit,
directly and through a bench gateway, and the lab's peak memory. Writes .lab/bench/foundation-<time>.json.
  --duration     seconds per run (default 10)
  --connections  concurrent connections per run (default 10)
  --force        restart the lab even while a test run is using it

  checkout   orders through a bench gateway: placed orders/s, time to a final state, POST→confirmed latency
  consumer   the idempotent consumer (@lab/messaging) draining a topic of its own: messages/s
  inventory  the stock strategies side by side (services/inventory/bench/strategies.ts)
  observability  the series Prometheus holds under load, scrape durations, the metrics' cost on the gateway
  all        the foundation, then checkout, consumer, inventory and observability, one after the other`

/** A bad option (with `usage`, the text to print), or `--help` when the message is ''. */
export class BenchUsageError extends Error {
  override name = 'BenchUsageError'
  constructor (message: string, readonly usage: string = USAGE) {
    super(message)
  }
}

export const SUBCOMMANDS = ['checkout', 'consumer', 'inventory', 'observability', 'all'] as const
export type BenchCommand = 'foundation' | typeof SUBCOMMANDS[number]

/** The command a bench run is for (`foundation` without one) and the arguments that follow it. */
export function splitCommand (argv: string[]): { command: BenchCommand, args: string[] } {
  const args = argv[0] === 'bench' ? argv.slice(1) : argv
  const first = args[0]
  const sub = SUBCOMMANDS.find((name) => name === first)
  return sub === undefined ? { command: 'foundation', args } : { command: sub, args: args.slice(1) }
}

export function positiveInteger (name: string, text: string | undefined, fallback: number, usage = USAGE): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) throw new BenchUsageError(`--${name} must be a positive integer (got '${text}')`, usage)
  return value
}

/** Parses the bench's options; a leading `bench` (as ./lab may pass it) is ignored. */
export function parseBenchArgs (argv: string[]): BenchOptions {
  const args = argv[0] === 'bench' ? argv.slice(1) : argv
  let values: { duration?: string, connections?: string, force?: boolean, help?: boolean }
  try {
    values = parseArgs({
      args,
      options: {
        duration: { type: 'string' },
        connections: { type: 'string' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false }
      }
    }).values
  } catch (err) {
    throw new BenchUsageError((err as Error).message)
  }
  if (values.help === true) throw new BenchUsageError('')
  return {
    durationSeconds: positiveInteger('duration', values.duration, 10),
    connections: positiveInteger('connections', values.connections, 10),
    force: values.force === true
  }
}
