import { parseArgs } from 'node:util'
import { BenchUsageError, positiveInteger } from '../args.js'

export interface ConsumerOptions {
  /** Distinct envelopes produced (the duplicate run produces each of them twice). */
  messages: number
  partitions: number
  /** Messages each diagnostic variant reads (fewer than `messages` keeps the diagnosis short). */
  sample: number
  /** Run the diagnosis even when the consumer meets its target. */
  diagnose: boolean
}

export const CONSUMER_USAGE = `usage: ./lab bench consumer [--messages <n>] [--partitions <n>] [--sample <n>] [--diagnose]

The idempotent consumer of @lab/messaging on the lab's Kafka and PostgreSQL (./lab up -d first), in a
database and on topics of its own (dropped and deleted at the end): produces the envelopes, then times
IdempotentConsumer draining them with an INSERT per message; then the same with every message twice.
Below the target it measures where the time goes. Writes .lab/bench/consumer-<time>.json.
  --messages    distinct envelopes (default 20000)
  --partitions  partitions of the bench topics (default 3, as the lab's)
  --sample      messages per diagnostic variant (default 5000)
  --diagnose    measure where the time goes even when the target is met`

/** Parses `./lab bench consumer`'s options (the words after `consumer`). */
export function parseConsumerArgs (args: string[]): ConsumerOptions {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args,
      options: {
        messages: { type: 'string' },
        partitions: { type: 'string' },
        sample: { type: 'string' },
        diagnose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false }
      }
    }).values
  } catch (err) {
    throw new BenchUsageError((err as Error).message, CONSUMER_USAGE)
  }
  if (values.help === true) throw new BenchUsageError('', CONSUMER_USAGE)
  const int = (name: string, fallback: number) => positiveInteger(name, values[name] as string | undefined, fallback, CONSUMER_USAGE)
  const messages = int('messages', 20_000)
  return {
    messages,
    partitions: int('partitions', 3),
    sample: Math.min(int('sample', 5000), messages),
    diagnose: values.diagnose === true
  }
}
