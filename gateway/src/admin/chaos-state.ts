import type { FastifyInstance } from 'fastify'
import type { SwitchSet } from '@lab/platform'
import type { RateLimitPolicy } from '../rate-limit/policy.js'
import { callAdmin, type AdminTarget } from './targets.js'
import type { ProxyState, ToxiproxyClient } from './toxiproxy.js'

/** What the admin API works on: the lab's proxies, the services' instances, the gateway's own switches. */
export interface ChaosContext {
  toxiproxy: ToxiproxyClient
  /** The lab's proxy names (CHAOS_PROXIES). */
  proxies: string[]
  targets: AdminTarget[]
  switches: SwitchSet
  app: FastifyInstance
  /** Every admin route's config: the admin API's one request budget per client address. */
  routeConfig: { rateLimitPolicy: RateLimitPolicy }
}

interface InstanceStatus {
  service: string
  instance: string
  reachable: boolean
  answering?: boolean
  faults: Record<string, unknown>
  switchesOff: string[]
}

/** A flag at its healthy default: 0, false, empty or absent. */
const isDefault = (value: unknown) => value === undefined || value === null || value === 0 || value === false || value === ''

function nonDefault (faults: unknown): Record<string, unknown> {
  if (typeof faults !== 'object' || faults === null) return {}
  return Object.fromEntries(Object.entries(faults).filter(([, v]) => !isDefault(v)))
}

const switchesOff = (state: unknown) => typeof state === 'object' && state !== null ? Object.entries(state).filter(([, on]) => on === false).map(([name]) => name) : []

async function instanceStatus (target: AdminTarget): Promise<InstanceStatus> {
  try {
    const [faults, switches, readiness] = await Promise.all(['/admin/faults', '/admin/switches', '/admin/faults/readiness'].map(async (path) => await callAdmin(target, 'GET', path)))
    const ok = (a: { statusCode: number, body: unknown } | undefined) => a !== undefined && a.statusCode === 200 ? a.body : undefined
    const answering = (ok(readiness) as { answering?: boolean } | undefined)?.answering
    return { service: target.service, instance: target.instance, reachable: true, ...(answering === undefined ? {} : { answering }), faults: nonDefault(ok(faults)), switchesOff: switchesOff(ok(switches)) }
  } catch {
    return { service: target.service, instance: target.instance, reachable: false, faults: {}, switchesOff: [] }
  }
}

/** What is broken right now: every lab proxy (toxics, enabled) and every instance's non-default flags and switches. */
export async function chaosStatus (ctx: ChaosContext): Promise<{ healthy: boolean, proxies: ProxyState[], instances: InstanceStatus[] }> {
  const [all, remote] = await Promise.all([ctx.toxiproxy.proxies(), Promise.all(ctx.targets.map(instanceStatus))])
  const proxies = all.filter((p) => ctx.proxies.includes(p.name)).sort((a, b) => a.name.localeCompare(b.name))
  const gateway: InstanceStatus = { service: 'gateway', instance: 'gateway', reachable: true, answering: !ctx.app.health.readinessFault(), faults: {}, switchesOff: switchesOff(ctx.switches.current()) }
  const instances = [gateway, ...remote]
  const healthy = proxies.every((p) => p.enabled && p.toxics.length === 0) &&
    instances.every((i) => i.reachable && i.answering !== false && Object.keys(i.faults).length === 0 && i.switchesOff.length === 0)
  return { healthy, proxies, instances }
}

/** Back to a healthy lab: proxies healed, every instance's flags at default, switches on, readiness answering. */
export async function resetChaos (ctx: ChaosContext): Promise<void> {
  const known = new Set((await ctx.toxiproxy.proxies()).map((p) => p.name))
  await Promise.all(ctx.proxies.filter((p) => known.has(p)).map(async (p) => { await ctx.toxiproxy.heal(p) }))
  ctx.switches.reset()
  ctx.app.health.setReadinessFault(false)
  await Promise.all(ctx.targets.map(async (target) => {
    await Promise.all([
      callAdmin(target, 'DELETE', '/admin/faults'),
      callAdmin(target, 'DELETE', '/admin/switches'),
      callAdmin(target, 'PUT', '/admin/faults/readiness', { answering: true })
    ]).catch(() => {
      // An instance that is down (a process fault) has nothing to reset: it boots healthy.
    })
  }))
}
