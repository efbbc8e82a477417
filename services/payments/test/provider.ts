import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { listenOnFreePort, registerTeardown, startService, uniqueName, type ServiceProcess } from '@lab/testkit'

/** Shared with payments (paymentsEnv), which verifies the provider's signed callbacks with it. */
export const TEST_SECRET = 'payments-test-webhook-secret-0123'

export interface ChargeCall { chargeId: string, at: number }

export interface Faults { errorRate?: number, latencyMs?: number, declineRate?: number }

/** The lab's fake card provider as payments reaches it. */
export interface Provider {
  /** Where payments sends its charges (PROVIDER_URL): the tap in front of the provider. */
  url: string
  /** Every POST /charges as it reached the provider (before its fault knobs answer): what the breaker and the retries let through, and when. */
  chargeCalls: ChargeCall[]
  /** PUT /admin/faults: the provider's fault knobs at run time. */
  setFaults: (faults: Faults) => Promise<void>
  metric: ServiceProcess['metric']
}

/**
 * The real provider (services/provider) in its own process, as in the lab, with its fault knobs at
 * `env`, behind a tap of ours that notes each charge request and passes everything through unchanged.
 * Both close themselves (registerTeardown).
 */
export async function startProvider (env: Record<string, string> = {}): Promise<Provider> {
  const provider = await startService('provider', {
    INSTANCE_ID: uniqueName('provider-for-payments'),
    LOG_LEVEL: 'error',
    PROVIDER_WEBHOOK_SECRET: TEST_SECRET,
    PROVIDER_PROCESSING_DELAY_MS: '20',
    PROVIDER_CALLBACK_BASE_DELAY_MS: '50',
    PROVIDER_CALLBACK_MAX_DELAY_MS: '500',
    ...env
  })
  const chargeCalls: ChargeCall[] = []
  const url = await startChargeTap(provider.url, (body) => {
    chargeCalls.push({ chargeId: (JSON.parse(body) as { chargeId: string }).chargeId, at: performance.now() })
  })
  return {
    url,
    chargeCalls,
    setFaults: async (faults) => {
      const res = await fetch(`${provider.url}/admin/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) })
      if (res.status !== 200) throw new Error(`PUT /admin/faults answered ${res.status}: ${await res.text()}`)
    },
    metric: provider.metric
  }
}

/**
 * An HTTP pass-through to `target` that hands each POST /charges body to `onCharge` once it has
 * arrived, then forwards it. A caller that gives up (a timeout) does not cancel what it forwarded:
 * the provider got the request, as it would over a real network.
 */
async function startChargeTap (target: string, onCharge: (body: string) => void): Promise<string> {
  const agent = new Agent({ keepAlive: true })
  const server = createServer((req, res) => {
    // A caller that gives up resets its connection: nothing to report, and no uncaught 'error' event.
    req.on('error', () => {})
    res.on('error', () => {})
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      if (req.method === 'POST' && req.url === '/charges') onCharge(body.toString('utf8'))
      forward(target, agent, req, body, res)
    })
  })
  const url = await listenOnFreePort(server)
  registerTeardown(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
    agent.destroy()
  })
  return url
}

function forward (target: string, agent: Agent, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
  const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: endToEnd(req.headers), agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers))
    answer.on('error', () => { res.destroy() })
    answer.pipe(res)
  })
  upstream.on('error', () => { res.destroy() })
  upstream.end(body)
}

/** Headers without the hop-by-hop ones (and Host): each side of the tap keeps its own connection. @see https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1 */
function endToEnd (headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const hopByHop = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer'])
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !hopByHop.has(name)))
}
