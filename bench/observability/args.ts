import { parseArgs } from 'node:util'
import { BenchUsageError, positiveInteger } from '../args.js'

export interface ObservabilityOptions {
  /** Seconds of mixed traffic through the lab's gateway before the series are counted. */
  trafficSeconds: number
  /** Requests per second of that traffic, under the lab's rate limit (100/s per client). */
  rate: number
  /** Seconds of the burst past the rate limit (429s). */
  burstSeconds: number
  /** Seconds of each hit-path run of the overhead comparison. */
  durationSeconds: number
  connections: number
  /** Rounds of the overhead comparison: in each, both gateways under the same load at the same time. */
  rounds: number
  /** The lab's Prometheus. */
  prometheusUrl: string
  /** Leave out the overhead comparison (the series and scrape figures only). */
  skipOverhead: boolean
}

export const OBSERVABILITY_USAGE = `usage: ./lab bench observability [--traffic <s>] [--rate <req/s>] [--burst <s>] [--duration <s>] [--connections <n>]
                                [--rounds <n>] [--prometheus <url>] [--no-overhead]

Needs the lab up (./lab up -d); does not restart it. Writes .lab/bench/observability-<time>.json.
  a. series: drives mixed traffic through the lab's gateway (:8080): product pages (hits, misses, 404s,
     400s), lists, stock, wallets, the ledger check, orders placed by wallet and card (they use stock and
     money like any purchase), then a burst past the rate limit (429s); waits for a scrape, then counts
     the series the lab's Prometheus holds (TSDB head and live), by job and by metric name. Target < 20,000.
  b. scrapes: each target's scrape_duration_seconds and scrape_samples_scraped.
  c. overhead of the metrics on the gateway's hit path: two bench gateways of its own (the lab's
     environment, rate limits lifted), one with METRICS_ENABLED=false, product-page hits on both at
     the same time (each its own connections), round after round: req/s and latency, and their ratio.
  --traffic      seconds of mixed traffic (default 20)
  --rate         requests per second of it (default 60: under the lab's limit of 100/s per client)
  --burst        seconds of the burst past the rate limit (default 5)
  --duration     seconds of each round of (c) (default 10)
  --connections  connections to each gateway in (c) (default 10)
  --rounds       rounds of (c), both gateways loaded at once in each (default 2)
  --prometheus   the lab's Prometheus (default http://127.0.0.1:9090)
  --no-overhead  leave (c) out`

/** Parses `./lab bench observability`'s options (the words after `observability`). */
export function parseObservabilityArgs (args: string[]): ObservabilityOptions {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args,
      options: {
        traffic: { type: 'string' },
        rate: { type: 'string' },
        burst: { type: 'string' },
        duration: { type: 'string' },
        connections: { type: 'string' },
        rounds: { type: 'string' },
        prometheus: { type: 'string' },
        'no-overhead': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false }
      }
    }).values
  } catch (err) {
    throw new BenchUsageError((err as Error).message, OBSERVABILITY_USAGE)
  }
  if (values.help === true) throw new BenchUsageError('', OBSERVABILITY_USAGE)
  const int = (name: string, fallback: number) => positiveInteger(name, values[name] as string | undefined, fallback, OBSERVABILITY_USAGE)
  const prometheusUrl = (values.prometheus as string | undefined) ?? 'http://127.0.0.1:9090'
  if (!/^https?:\/\/[^/]+\/?$/.test(prometheusUrl)) throw new BenchUsageError(`--prometheus must be a base URL such as http://127.0.0.1:9090 (got '${prometheusUrl}')`, OBSERVABILITY_USAGE)
  return {
    trafficSeconds: int('traffic', 20),
    rate: int('rate', 60),
    burstSeconds: int('burst', 5),
    durationSeconds: int('duration', 10),
    connections: int('connections', 10),
    rounds: int('rounds', 2),
    prometheusUrl: prometheusUrl.replace(/\/$/, ''),
    skipOverhead: values['no-overhead'] === true
  }
}
