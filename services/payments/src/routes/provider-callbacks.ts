import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses, withTransaction } from '@lab/platform'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '@lab/webhook-signature'
import { CallbackHeadersSchema, CallbackResultSchema, providerCallbackChecker } from '../schemas/callback.js'
import { BadCallbackError, BadSignatureError } from '../errors.js'
import { applyProviderDecision } from '../payments/apply-callback.js'

/**
 * POST /provider-callbacks: the provider's signed decision on a card charge.
 * The signature is an HMAC over the RAW body bytes, so this plugin (encapsulated: other routes keep
 * Fastify's JSON parser) keeps the body as the Buffer that came off the wire, verifies it first, and
 * only then parses it. Missing, wrong or stale (> WEBHOOK_TOLERANCE_SECONDS) signature: 401, nothing
 * read, nothing changed. The body is therefore not declared in the route schema (the schema would
 * validate a parsed object); it is checked against ProviderCallbackSchema after the signature.
 * @see https://docs.stripe.com/webhooks#verify-manually
 */
export const providerCallbackRoutes: FastifyPluginAsyncTypebox<{ secret: string, toleranceSeconds: number }> = async (app, { secret, toleranceSeconds }) => {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })

  app.post('/provider-callbacks', {
    schema: { headers: CallbackHeadersSchema, response: { 200: CallbackResultSchema, ...errorResponses(400, 401, 413, 415, 500) } }
  }, async (request) => {
    const rawBody = request.body
    if (!Buffer.isBuffer(rawBody)) throw new BadSignatureError('no body')
    const verdict = verifyWebhookSignature({
      secret, timestamp: request.headers[TIMESTAMP_HEADER], signature: request.headers[SIGNATURE_HEADER], rawBody, toleranceSeconds
    })
    if (!verdict.ok) throw new BadSignatureError(`${verdict.reason} signature`)

    const decision = parseDecision(rawBody)
    const outcome = await withTransaction(app.pg, async (client) => await applyProviderDecision(client, decision, app.payments))
    request.log.info({ chargeId: decision.chargeId, status: decision.status, ...outcome }, outcome.applied ? 'provider callback applied' : 'provider callback changed nothing')
    return { chargeId: decision.chargeId, ...outcome }
  })
}

function parseDecision (rawBody: Buffer) {
  let parsed: unknown
  try {
    parsed = JSON.parse(rawBody.toString('utf8'))
  } catch {
    throw new BadCallbackError('malformed JSON')
  }
  if (!providerCallbackChecker.Check(parsed)) {
    const first = providerCallbackChecker.Errors(parsed).First()
    throw new BadCallbackError(first === undefined ? 'unexpected shape' : `${first.path || '/'} ${first.message}`)
  }
  return parsed
}
