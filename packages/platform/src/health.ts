import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'

/** A readiness check: resolves when the dependency answers, rejects (or times out) when it does not. */
export type HealthCheck = () => Promise<unknown>

declare module 'fastify' {
  interface FastifyInstance {
    health: {
      /** Register a dependency that must answer for the service to be ready. */
      addCheck: (name: string, check: HealthCheck) => void
      /** Force readiness off (graceful drain, or a fault switched on by the lab). */
      setDraining: (draining: boolean) => void
      /**
       * The lab's readiness fault: while on, /health/ready answers 503 although every dependency is up,
       * so load balancers take the instance out (PUT /admin/faults/readiness, see lab-admin.ts).
       */
      setReadinessFault: (on: boolean) => void
      readinessFault: () => boolean
    }
  }
}

const CheckResult = Type.Object({ status: Type.Union([Type.Literal('up'), Type.Literal('down')]), error: Type.Optional(Type.String()) })
const ReadyBody = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not-ready'), Type.Literal('draining')]),
  checks: Type.Record(Type.String(), CheckResult)
})

export interface HealthOptions {
  /** How long one dependency may take to answer before it counts as down. */
  checkTimeoutMs?: number
}

/**
 * `GET /health/live` answers while the process runs; `GET /health/ready` pings every registered
 * dependency and answers 503 when one is down, so load balancers and orchestrators stop sending traffic.
 */
export const healthPlugin = fp<HealthOptions>(async (app, { checkTimeoutMs = 1000 }) => {
  const checks = new Map<string, HealthCheck>()
  let draining = false
  let readinessFault = false
  app.decorate('health', {
    addCheck: (name: string, check: HealthCheck) => { checks.set(name, check) },
    setDraining: (value: boolean) => { draining = value },
    setReadinessFault: (on: boolean) => { readinessFault = on },
    readinessFault: () => readinessFault
  })
  app.addHook('preClose', async () => { draining = true })

  const probe = { config: { skipMetrics: true }, logLevel: 'warn' as const }

  app.get('/health/live', { ...probe, schema: { response: { 200: Type.Object({ status: Type.Literal('alive') }) } } }, async () => ({ status: 'alive' as const }))

  app.get('/health/ready', { ...probe, schema: { response: { 200: ReadyBody, 503: ReadyBody } } }, async (_request, reply) => {
    const results: Record<string, { status: 'up' | 'down', error?: string }> = {}
    await Promise.all([...checks].map(async ([name, check]) => {
      try {
        await withTimeout(check(), checkTimeoutMs)
        results[name] = { status: 'up' }
      } catch (err) {
        results[name] = { status: 'down', error: err instanceof Error ? err.message : String(err) }
      }
    }))
    if (readinessFault) results['lab-fault'] = { status: 'down', error: 'readiness switched off by the lab (PUT /admin/faults/readiness)' }
    const allUp = Object.values(results).every((r) => r.status === 'up')
    const status = draining ? 'draining' : allUp ? 'ready' : 'not-ready'
    reply.code(status === 'ready' ? 200 : 503)
    return { status, checks: results }
  })
}, { name: 'lab-health' })

async function withTimeout<T> (promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
