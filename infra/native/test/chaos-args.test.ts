import { describe, expect, it } from 'vitest'
import { ChaosUsageError, parseChaos, parseDuration, parseRate } from '../chaos/args.js'

describe('./lab chaos command lines', () => {
  it('turns the documented examples into admin API actions', () => {
    expect(parseChaos(['redis', 'down'])).toEqual({ kind: 'proxy', proxy: 'redis', fault: 'down' })
    expect(parseChaos(['postgres', 'latency', '200ms'])).toEqual({ kind: 'toxic', proxy: 'postgres', fault: 'latency', body: { latencyMs: 200 } })
    expect(parseChaos(['kafka', 'bandwidth', '64'])).toEqual({ kind: 'toxic', proxy: 'kafka', fault: 'bandwidth', body: { rateKBps: 64 } })
    expect(parseChaos(['provider', 'errors', '50%'])).toEqual({ kind: 'faults', service: 'provider', body: { errorRate: 0.5 } })
    expect(parseChaos(['provider', 'latency', '1s'])).toEqual({ kind: 'toxic', proxy: 'provider', fault: 'latency', body: { latencyMs: 1000 } })
    expect(parseChaos(['switch', 'cache', 'off'])).toEqual({ kind: 'switch', service: 'catalog', pattern: 'cache', on: false })
    expect(parseChaos(['switch', 'breaker-catalog', 'on'])).toEqual({ kind: 'switch', service: 'gateway', pattern: 'breaker-catalog', on: true })
    expect(parseChaos(['switch', 'retries', 'off', '--service', 'payments'])).toEqual({ kind: 'switch', service: 'payments', pattern: 'retries', on: false })
    expect(parseChaos(['switch', 'idempotent-consumer', 'off'])).toEqual({ kind: 'switch', service: 'payments', pattern: 'idempotent-consumer', on: false })
    expect(parseChaos(['switch', 'charge-worker', 'off'])).toEqual({ kind: 'switch', service: 'payments', pattern: 'charge-worker', on: false })
    expect(parseChaos(['switch', 'idempotency-key', 'off', '--service', 'orders'])).toEqual({ kind: 'switch', service: 'orders', pattern: 'idempotency-key', on: false })
    expect(parseChaos(['ready', 'catalog-2', 'off'])).toEqual({ kind: 'readiness', service: 'catalog', instance: 'catalog-2', answering: false })
    expect(parseChaos(['kill', 'kafka'])).toEqual({ kind: 'process', verb: 'kill', component: 'kafka' })
    expect(parseChaos(['status'])).toEqual({ kind: 'status' })
    expect(parseChaos(['reset'])).toEqual({ kind: 'reset' })
    expect(parseChaos(['dlq'])).toEqual({ kind: 'dlq' })
    expect(parseChaos(['dlq', 'purge', 'orders.placed.v1.dlq.v1'])).toEqual({ kind: 'dlq', purge: 'orders.placed.v1.dlq.v1' })
  })

  it('refuses what it cannot mean with a usage error naming the problem', () => {
    expect(() => parseChaos(['redis', 'melt'])).toThrow(ChaosUsageError)
    expect(() => parseChaos(['nowhere', 'down'])).toThrow(/unknown chaos command/)
    expect(() => parseChaos(['switch', 'retries', 'off'])).toThrow(/--service/)
    expect(() => parseChaos(['switch', 'cache', 'maybe'])).toThrow(/on or off/)
    expect(() => parseChaos(['kill'])).toThrow(/which component/)
    expect(() => parseChaos(['dlq', 'purge'])).toThrow(/purge <topic\|all>/)
    expect(() => parseRate('150%', 'x')).toThrow(ChaosUsageError)
    expect(() => parseDuration('fast', 'x')).toThrow(ChaosUsageError)
  })
})
