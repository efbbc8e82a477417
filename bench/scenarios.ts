import type { BenchOptions } from './args.js'
import { deleteCatalogKeys, getEach } from './catalog.js'
import { runLoad, type LoadResult, type LoadSpec } from './load.js'
import type { MemorySampler } from './memory.js'
import type { Output } from './output.js'
import { cacheCell, fmtInt, fmtMs } from './report.js'

/** Product ids cycled over by the hit runs, warmed first. */
export const HOT_IDS = 100

export interface ScenarioContext {
  options: BenchOptions
  out: Output
  sampler: MemorySampler
  /** Products seeded (ids 1..n) and the catalog's Redis key prefix. */
  products: number
  keyPrefix: string
  notes: string[]
}

/** One autocannon run with a progress line and a one-line summary; the sampler labels its samples. */
export async function measure (ctx: ScenarioContext, spec: Omit<LoadSpec, 'connections' | 'durationSeconds' | 'onTick'> & { connections?: number }, expected?: 'hit' | 'miss'): Promise<LoadResult> {
  const { durationSeconds } = ctx.options
  const connections = spec.connections ?? ctx.options.connections
  ctx.sampler.phase(spec.title)
  if (!ctx.out.isTerminal) ctx.out.line(`  running ${spec.title}: ${durationSeconds} s, ${connections} connection${connections === 1 ? '' : 's'}, ${spec.url}`)
  const result = await runLoad({
    ...spec,
    connections,
    durationSeconds,
    onTick: (elapsed, perSecond) => { ctx.out.progress(`  ${spec.title}: ${elapsed}/${durationSeconds} s, ${fmtInt(perSecond)} req/s`) }
  })
  ctx.sampler.phase('between runs')
  const cache = expected === undefined ? '' : `, x-cache ${cacheCell(result, expected)}`
  ctx.out.line(`  ${result.title}: ${fmtInt(result.requestsPerSecond)} req/s, p50 ${fmtMs(result.p50Ms)} ms, p99 ${fmtMs(result.p99Ms)} ms, ` +
    `${fmtInt(result.requests)} requests in ${result.durationSeconds.toFixed(1)} s, ${result.errors} errors, ${result.non2xx} non-2xx${cache}`)
  return result
}

export async function helloWorld (ctx: ScenarioContext, url: string): Promise<LoadResult> {
  return await measure(ctx, { title: 'hello-world (ceiling)', url })
}

/**
 * Every request a miss: the catalog's keys deleted first, then each request asks for the next product
 * id, never one asked before. A run can ask for at most `products - connections` ids (each
 * connection prepares its next request before it stops, which takes an id too), so a run that would
 * go on past that stops early rather than wrap around the id space into cached pages.
 */
export async function miss (ctx: ScenarioContext, title: string, base: string): Promise<LoadResult> {
  const deleted = await deleteCatalogKeys(ctx.keyPrefix)
  ctx.out.line(`  deleted ${fmtInt(deleted)} key${deleted === 1 ? '' : 's'} '${ctx.keyPrefix}*' from Redis`)
  const maxRequests = ctx.products - ctx.options.connections
  const result = await measure(ctx, {
    title,
    url: `${base}/products/1`,
    pathOf: (sequence) => `${new URL(base).pathname.replace(/\/$/, '')}/products/${(sequence % ctx.products) + 1}`,
    maxRequests,
    countCache: true
  }, 'miss')
  if (result.stoppedAtMaxRequests) {
    const note = `${title}: stopped after ${fmtInt(result.requests)} requests in ${result.durationSeconds.toFixed(1)} s, before --duration, ` +
      `because the ${fmtInt(ctx.products)} product ids were used up; going on would wrap around to cached pages`
    ctx.notes.push(note)
    ctx.out.line(`  note: ${note}`)
  }
  return result
}

/** Every request a hit: ids 1..HOT_IDS read once to warm them, then cycled over. */
export async function hit (ctx: ScenarioContext, title: string, base: string, connections?: number): Promise<LoadResult> {
  const path = (id: number) => `${new URL(base).pathname.replace(/\/$/, '')}/products/${id}`
  const origin = new URL(base).origin
  await getEach(origin, Array.from({ length: HOT_IDS }, (_, i) => path(i + 1)))
  ctx.out.line(`  warmed product ids 1..${HOT_IDS}`)
  return await measure(ctx, {
    title,
    url: `${base}/products/1`,
    pathOf: (sequence) => path((sequence % HOT_IDS) + 1),
    countCache: true,
    ...(connections === undefined ? {} : { connections })
  }, 'hit')
}
