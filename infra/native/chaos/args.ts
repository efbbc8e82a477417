import { proxies } from '../../topology.js'

/** What one `./lab chaos …` command line asks for: an admin API call, or a process fault done locally. */
export type ChaosAction =
  | { kind: 'status' }
  | { kind: 'reset' }
  | { kind: 'help' }
  | { kind: 'proxy', proxy: string, fault: 'down' | 'heal' } | { kind: 'toxic', proxy: string, fault: string, body: Record<string, number> }
  | { kind: 'faults', service: string, body: Record<string, unknown> | null }
  | { kind: 'readiness', service: string, instance?: string, answering: boolean }
  | { kind: 'switch', service: string, pattern: string, on: boolean }
  | { kind: 'switches-reset', service: string }
  | { kind: 'process', verb: 'stop' | 'kill' | 'start' | 'restart', component: string }
  | { kind: 'dlq', purge?: string }

export class ChaosUsageError extends Error {
  override name = 'ChaosUsageError'
}

/** `200ms`, `1.5s`, `200` (ms) → milliseconds. */
export function parseDuration (text: string | undefined, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text ?? '')
  if (match?.[1] === undefined) throw new ChaosUsageError(`${what}: expected a duration like 200ms or 2s, got ${text ?? 'nothing'}`)
  return Math.round(Number(match[1]) * (match[2] === 's' ? 1000 : 1))
}

/** `50%` or `0.5` → 0.5. */
export function parseRate (text: string | undefined, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(%)?$/.exec(text ?? '')
  const rate = match?.[1] === undefined ? NaN : Number(match[1]) / (match[2] === '%' ? 100 : 1)
  if (!(rate >= 0 && rate <= 1)) throw new ChaosUsageError(`${what}: expected a share like 50% or 0.5, got ${text ?? 'nothing'}`)
  return rate
}

function onOff (text: string | undefined, what: string): boolean {
  if (text === 'on') return true
  if (text === 'off') return false
  throw new ChaosUsageError(`${what}: expected on or off, got ${text ?? 'nothing'}`)
}

/** Which service a pattern switch belongs to, when the command line does not say (--service). */
function serviceOfPattern (pattern: string): string {
  if (['cache', 'single-flight', 'negative-cache'].includes(pattern)) return 'catalog'
  if (['idempotent-consumer', 'retry-backoff', 'retry-budget', 'breaker-provider', 'charge-worker'].includes(pattern)) return 'payments'
  if (pattern.startsWith('rate-limit') || pattern.startsWith('breaker-')) return 'gateway'
  throw new ChaosUsageError(`which service has the switch ${pattern}? add --service <name>`)
}

const PROCESS_VERBS = ['stop', 'kill', 'start', 'restart'] as const

function proxyAction (proxy: string, [fault, value, extra]: string[]): ChaosAction {
  switch (fault) {
    case 'down': return { kind: 'proxy', proxy, fault: 'down' }
    case 'up': case 'heal': return { kind: 'proxy', proxy, fault: 'heal' }
    case 'latency': return { kind: 'toxic', proxy, fault, body: { latencyMs: parseDuration(value, 'latency'), ...(extra === undefined ? {} : { jitterMs: parseDuration(extra, 'jitter') }) } }
    case 'timeout': return { kind: 'toxic', proxy, fault, body: { timeoutMs: parseDuration(value ?? '0', 'timeout') } }
    case 'reset-peer': return { kind: 'toxic', proxy, fault, body: { timeoutMs: parseDuration(value ?? '0', 'reset-peer') } }
    case 'bandwidth': {
      const rate = Number(/^(\d+)(?:KB\/s|kbps)?$/i.exec(value ?? '')?.[1])
      if (!Number.isInteger(rate)) throw new ChaosUsageError(`bandwidth: expected KB per second like 64, got ${value ?? 'nothing'}`)
      return { kind: 'toxic', proxy, fault, body: { rateKBps: rate } }
    }
    default: throw new ChaosUsageError(`${proxy}: expected down, up, latency <ms>, timeout <ms>, reset-peer [ms] or bandwidth <KB/s>; got ${fault ?? 'nothing'}`)
  }
}

/** Parses the words after `./lab chaos`. */
export function parseChaos (argv: string[]): ChaosAction {
  const serviceFlag = argv.indexOf('--service')
  const service = serviceFlag >= 0 ? argv[serviceFlag + 1] : undefined
  const words = serviceFlag >= 0 ? argv.filter((_, i) => i !== serviceFlag && i !== serviceFlag + 1) : argv
  const [first, ...rest] = words
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') return { kind: 'help' }
  if (first === 'status' || first === 'reset') return { kind: first }
  if (first === 'dlq') {
    if (rest[0] === undefined) return { kind: 'dlq' }
    if (rest[0] !== 'purge' || rest[1] === undefined) throw new ChaosUsageError('dlq: expected nothing (list) or purge <topic|all>, e.g. ./lab chaos dlq purge orders.placed.v1.dlq.v1')
    return { kind: 'dlq', purge: rest[1] }
  }
  if ((PROCESS_VERBS as readonly string[]).includes(first)) {
    if (rest[0] === undefined) throw new ChaosUsageError(`${first}: which component? e.g. ./lab chaos ${first} kafka`)
    return { kind: 'process', verb: first as typeof PROCESS_VERBS[number], component: rest[0] }
  }
  if (first === 'switch') {
    const [pattern, state] = rest
    if (pattern === 'reset') return { kind: 'switches-reset', service: service ?? 'gateway' }
    if (pattern === undefined) throw new ChaosUsageError('switch: which pattern? e.g. ./lab chaos switch cache off')
    return { kind: 'switch', service: service ?? serviceOfPattern(pattern), pattern, on: onOff(state, `switch ${pattern}`) }
  }
  if (first === 'ready') {
    const [target, state] = rest
    if (target === undefined) throw new ChaosUsageError('ready: which service or instance? e.g. ./lab chaos ready catalog-2 off')
    const replica = /^(.+)-\d+$/.exec(target)
    return { kind: 'readiness', service: replica?.[1] ?? target, ...(replica === null ? {} : { instance: target }), answering: onOff(state, `ready ${target}`) }
  }
  // Service fault flags first: `provider errors 50%` is the provider's knob, `provider latency 200ms` its proxy's.
  if (first === 'provider' && ['errors', 'declines'].includes(rest[0] ?? '')) {
    return { kind: 'faults', service: 'provider', body: { [rest[0] === 'errors' ? 'errorRate' : 'declineRate']: parseRate(rest[1], `provider ${rest[0] ?? ''}`) } }
  }
  if (first === 'provider' && rest[0] === 'slow') return { kind: 'faults', service: 'provider', body: { latencyMs: parseDuration(rest[1], 'provider slow') } }
  if (first === 'catalog' && rest[0] === 'slow-query') return { kind: 'faults', service: 'catalog', body: { slowQueryMs: parseDuration(rest[1], 'catalog slow-query') } }
  if (first === 'notifications' && rest[0] === 'poison') {
    if (rest[1] === undefined) throw new ChaosUsageError('notifications poison: which key (an order id), or off?')
    return { kind: 'faults', service: 'notifications', body: rest[1] === 'off' ? {} : { poisonKey: rest[1] } }
  }
  if (rest[0] === 'faults' && rest[1] === 'reset') return { kind: 'faults', service: first, body: null }
  if (proxies.some((p) => p.name === first)) return proxyAction(first, rest)
  throw new ChaosUsageError(`unknown chaos command: ${words.join(' ')} (./lab chaos help)`)
}
