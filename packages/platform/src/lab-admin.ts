import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type TObject, type TBoolean } from '@sinclair/typebox'
import { errorResponses } from './errors.js'
import type { SwitchSet } from './switches.js'

export interface LabAdminOptions {
  /** The service's pattern switches; without them only the readiness fault is served. */
  switches?: SwitchSet
}

export const ReadinessFault = Type.Object({
  /** false: /health/ready answers 503 (the instance is taken out of rotation) until set back to true. */
  answering: Type.Boolean()
}, { additionalProperties: false })

/** One property per switch, described by its definition. */
function switchesSchema (switches: SwitchSet, required: boolean): TObject<Record<string, TBoolean>> {
  const flag = (name: string) => Type.Boolean({ description: switches.descriptions[name] })
  return required
    ? Type.Object(Object.fromEntries(switches.names.map((n) => [n, flag(n)])), { additionalProperties: false })
    : Type.Object(Object.fromEntries(switches.names.map((n) => [n, Type.Optional(flag(n))])), { additionalProperties: false, minProperties: 1 }) as unknown as TObject<Record<string, TBoolean>>
}

/**
 * The run-time controls every lab service shares, registered with one line in its app.ts:
 *   GET|PUT|DELETE /admin/switches     its pattern switches (PUT changes the ones given; DELETE: all on)
 *   GET|PUT        /admin/faults/readiness   { answering: false } makes /health/ready answer 503
 * Services listen on private addresses; users reach these through the gateway's admin API, which asks
 * for the lab's admin credential. Bodies are validated strictly (no coercion: "false" is not false).
 */
export const labAdminRoutes: FastifyPluginAsyncTypebox<LabAdminOptions> = async (app, { switches }) => {
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  app.get('/admin/faults/readiness', { schema: { response: { 200: ReadinessFault } } }, async () => ({ answering: !app.health.readinessFault() }))

  app.put('/admin/faults/readiness', {
    schema: { body: ReadinessFault, response: { 200: ReadinessFault, ...errorResponses(400, 415) } }
  }, async (request) => {
    app.health.setReadinessFault(!request.body.answering)
    request.log.warn({ answering: request.body.answering }, 'readiness fault changed')
    return { answering: !app.health.readinessFault() }
  })

  if (switches === undefined) return
  const State = switchesSchema(switches, true)
  app.get('/admin/switches', { schema: { response: { 200: State } } }, async () => switches.current())

  app.put('/admin/switches', {
    schema: { body: switchesSchema(switches, false), response: { 200: State, ...errorResponses(400, 415) } }
  }, async (request) => {
    const state = switches.set(request.body as Record<string, boolean>)
    request.log.warn({ switches: request.body }, 'pattern switches changed')
    return state
  })

  app.delete('/admin/switches', { schema: { response: { 200: State } } }, async (request) => {
    request.log.warn('pattern switches reset: all on')
    return switches.reset()
  })
}
