import { parseArgs } from 'node:util'
import { BenchUsageError, positiveInteger } from '../args.js'

export interface CheckoutOptions {
  /** Seconds of the throughput run (orders as fast as they are taken). */
  durationSeconds: number
  connections: number
  /** Orders per second of the latency run, evenly paced (orders-load.ts paced()). */
  rate: number
  rateDurationSeconds: number
  paymentMethod: 'wallet' | 'card'
  /** Every order for one product (one hot row) instead of spread over `products`. */
  hot: boolean
  /** How many products the orders are spread over, evenly across the seeded ids. */
  products: number
  /** Seconds without a new final state before the bench stops waiting for the rest. */
  settleSeconds: number
}

export const CHECKOUT_USAGE = `usage: ./lab bench checkout [--duration <s>] [--connections <n>] [--rate <orders/s>] [--rate-duration <s>]
                           [--card] [--hot] [--products <n>] [--settle <s>]

Needs the lab up with the checkout services (./lab up -d). Starts its own gateway (the lab's environment,
rate limits lifted), then places orders (POST /orders, a fresh Idempotency-Key each, customers c-0001..c-1000
in turn, quantity 1) and follows them to confirmed/cancelled on Kafka. Writes .lab/bench/checkout-<time>.json.
  --duration       seconds of the throughput run: orders as fast as they are taken (default 10)
  --connections    concurrent connections of the throughput run (default 10)
  --rate           orders per second of the latency run, POST to confirmed (default 50)
  --rate-duration  seconds of the latency run (default 10)
  --card           pay by card (the simulated provider) instead of the wallet
  --hot            every order for product 1: one hot row (its stock raised for the run)
  --products       products the orders are spread over, evenly across the seeded ids (default 2000)
  --settle         seconds without a new final state before giving up on the rest (default 30)`

/** Parses `./lab bench checkout`'s options (the words after `checkout`). */
export function parseCheckoutArgs (args: string[]): CheckoutOptions {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args,
      options: {
        duration: { type: 'string' },
        connections: { type: 'string' },
        rate: { type: 'string' },
        'rate-duration': { type: 'string' },
        card: { type: 'boolean', default: false },
        hot: { type: 'boolean', default: false },
        products: { type: 'string' },
        settle: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false }
      }
    }).values
  } catch (err) {
    throw new BenchUsageError((err as Error).message, CHECKOUT_USAGE)
  }
  if (values.help === true) throw new BenchUsageError('', CHECKOUT_USAGE)
  const int = (name: string, fallback: number) => positiveInteger(name, values[name] as string | undefined, fallback, CHECKOUT_USAGE)
  return {
    durationSeconds: int('duration', 10),
    connections: int('connections', 10),
    rate: int('rate', 50),
    rateDurationSeconds: int('rate-duration', 10),
    paymentMethod: values.card === true ? 'card' : 'wallet',
    hot: values.hot === true,
    products: int('products', 2000),
    settleSeconds: int('settle', 30)
  }
}
