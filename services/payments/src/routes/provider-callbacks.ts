import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '@lab/platform'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '@lab/webhook-signature'
import { CallbackHeadersSchema, CallbackResultSchema, providerCallbackChecker } from '../schemas/callback.js'
import { BadCallbackError, BadSignatureError } from '../errors.js'
import { receiveProviderCallback } from '../payments/verify-callback.js'

/**
 * POST /provider-callbacks: the provider's signed decision on a card charge.
 * The signature is an HMAC over the RAW body bytes, so this plugin (encapsulated: other routes keep
 * Fastify's JSON parser) keeps the body as the Buffer that came off the wire, verifies it first, and
 * only then parses it. Missing, wrong or stale (> WEBHOOK_TOLERANCE_SECONDS) signature: 401, nothing
 * read, nothing changed. The body is therefore not declared in the route schema (the schema would
 * validate a parsed object); it is checked against ProviderCallbackSchema after the signature.
 * The signature is only the first gate: the secret can leak, so a signed callback is applied only as
 * the provider confirms it (receiveProviderCallback), and answered 200 `{ received: true }` whatever
 * became of it (applied, a repeat, rejected, left to the reconciler): non-2xx would only make the
 * provider deliver it again, and a forger would learn from the difference.
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

    const callback = parseDecision(rawBody)
    const outcome = await receiveProviderCallback(app.pg, callback, app.payments, request.log)
    app.payments.metrics.callbacks.inc({ outcome })
    request.log.info({ chargeId: callback.chargeId, status: callback.status, outcome }, 'provider callback received')
    return { received: true as const }
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
