import { Type, type TSchema } from '@sinclair/typebox'

export const ProxyParams = Type.Object({ proxy: Type.String({ pattern: '^[a-z0-9_-]{1,80}$' }) })
export const ServiceParams = Type.Object({ service: Type.String({ pattern: '^[a-z0-9-]{1,40}$' }) })
export const InstanceQuery = Type.Object({ instance: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,40}$' })) }, { additionalProperties: false })

const Toxic = Type.Object({
  name: Type.String(),
  type: Type.String(),
  stream: Type.String(),
  toxicity: Type.Number(),
  attributes: Type.Record(Type.String(), Type.Number())
})
export const ProxyStatus = Type.Object({ name: Type.String(), listen: Type.String(), upstream: Type.String(), enabled: Type.Boolean(), toxics: Type.Array(Toxic) })

export const InstanceStatus = Type.Object({
  service: Type.String(),
  instance: Type.String(),
  reachable: Type.Boolean(),
  /** false: the readiness fault is on (the instance answers 503 on /health/ready). */
  answering: Type.Optional(Type.Boolean()),
  /** Fault flags whose value is not the healthy default (0, off, absent). */
  faults: Type.Record(Type.String(), Type.Unknown()),
  /** Pattern switches turned off. */
  switchesOff: Type.Array(Type.String())
})

export const ChaosStatus = Type.Object({
  /** Nothing broken: every lab proxy enabled without toxics, no fault flag on, no switch off, every instance answering. */
  healthy: Type.Boolean(),
  proxies: Type.Array(ProxyStatus),
  instances: Type.Array(InstanceStatus)
})

/** What one instance answered to a forwarded admin call. */
export const InstanceAnswer = Type.Object({ instance: Type.String(), statusCode: Type.Integer(), body: Type.Unknown() })
export const ForwardedAnswer = Type.Object({ service: Type.String(), instances: Type.Array(InstanceAnswer) })

const ms = (max: number, description: string) => Type.Integer({ minimum: 0, maximum: max, description })

/** One route per Toxiproxy fault; `down` disables the proxy (connections refused, open ones cut). */
export const PROXY_FAULTS = {
  latency: {
    body: Type.Object({ latencyMs: ms(60_000, 'added to everything the dependency sends back'), jitterMs: Type.Optional(ms(60_000, '± random')) }, { additionalProperties: false }),
    toxic: (b: { latencyMs: number, jitterMs?: number }) => ({ type: 'latency' as const, attributes: { latency: b.latencyMs, jitter: b.jitterMs ?? 0 } })
  },
  timeout: {
    body: Type.Object({ timeoutMs: ms(600_000, 'no data passes; the connection is closed after this long (0: never)') }, { additionalProperties: false }),
    toxic: (b: { timeoutMs: number }) => ({ type: 'timeout' as const, attributes: { timeout: b.timeoutMs } })
  },
  'reset-peer': {
    body: Type.Object({ timeoutMs: Type.Optional(ms(600_000, 'connections reset (TCP RST) after this long (0: at once)')) }, { additionalProperties: false }),
    toxic: (b: { timeoutMs?: number }) => ({ type: 'reset_peer' as const, attributes: { timeout: b.timeoutMs ?? 0 } })
  },
  bandwidth: {
    body: Type.Object({ rateKBps: Type.Integer({ minimum: 0, maximum: 10_000_000, description: 'KB per second the dependency may send back' }) }, { additionalProperties: false }),
    toxic: (b: { rateKBps: number }) => ({ type: 'bandwidth' as const, attributes: { rate: b.rateKBps } })
  }
} satisfies Record<string, { body: TSchema, toxic: (body: never) => { type: string, attributes: Record<string, number> } }>

/** The fault flags each service serves at /admin/faults (its own schema; checked here too, at the front door). */
export const SERVICE_FAULTS: Record<string, TSchema> = {
  catalog: Type.Object({ slowQueryMs: Type.Optional(ms(10_000, 'added to every product-page query')) }, { additionalProperties: false, minProperties: 1 }),
  provider: Type.Object({
    errorRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    latencyMs: Type.Optional(ms(30_000, 'added before POST /charges answers')),
    declineRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 }))
  }, { additionalProperties: false, minProperties: 1 }),
  // PUT replaces notifications' flags: {} switches the poison key off.
  notifications: Type.Object({ poisonKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false })
}

export const SwitchChanges = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' }), Type.Boolean(), { minProperties: 1 })
export const Readiness = Type.Object({ answering: Type.Boolean() }, { additionalProperties: false })
