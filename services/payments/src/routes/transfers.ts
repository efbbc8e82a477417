import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '@lab/platform'
import { ReplayedError, requireIdempotencyKey, sendIdempotent, withIdempotency, withoutIdempotency, type RunIdempotently } from '@lab/idempotency'
import { TransferRequestSchema, TransferSchema, type Transfer } from '../schemas/transfer.js'
import { formatCents, parseAmountCents } from '../amount.js'
import { SameWalletError, SystemWalletError } from '../errors.js'
import { MERCHANT_WALLET } from '../payments/deps.js'

/**
 * POST /transfers: money from one customer wallet to another, once per Idempotency-Key. The key's
 * claim, its completion and the transfer commit in one transaction (withIdempotency); a retry with the
 * same key and body gets the first answer back (`idempotent-replayed: true`), moves nothing, and counts
 * in idempotent_replays_total{service="payments"} (orders' replays are the same family). The movement
 * itself (optimistic locking, double entry) is ledger/move-money.ts.
 */
export const transferRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // TypeBox's own validator: it never coerces a JSON body ({"fromWalletId": 12} is a 400).
  app.setValidatorCompiler(TypeBoxValidatorCompiler)
  // Per request: the `idempotency-key` switch can be turned off at run time (the key then ignored).
  const runIdempotently = (): RunIdempotently => app.payments.switches.enabled('idempotency-key') ? withIdempotency : withoutIdempotency

  app.post('/transfers', {
    schema: { body: TransferRequestSchema, response: { 201: TransferSchema, ...errorResponses(400, 404, 409, 413, 415, 422, 500) } }
  }, async (request, reply) => {
    const key = requireIdempotencyKey(request)
    const { fromWalletId, toWalletId, amount, reference } = request.body
    const amountCents = parseAmountCents(amount)
    if (fromWalletId === toWalletId) throw new SameWalletError()
    for (const id of [fromWalletId, toWalletId]) if (id === MERCHANT_WALLET) throw new SystemWalletError(id)

    const replays = app.payments.metrics.idempotentReplays
    const result = await runIdempotently()(app.pg, { scope: 'transfers', key, requestBody: request.body }, async (client) => {
      const moved = await app.payments.moveMoney(client, { from: fromWalletId, to: toWalletId, amountCents, kind: 'transfer', reference: reference ?? null })
      const body: Transfer = {
        transferId: moved.transferId,
        fromWalletId,
        toWalletId,
        amountCents,
        amount: formatCents(amountCents),
        fromBalanceCents: moved.from.balanceCents,
        toBalanceCents: moved.to.balanceCents,
        attempts: moved.attempts
      }
      return { statusCode: 201, body }
    }).catch((err: unknown) => {
      // A stored 4xx (an overdraft, say) answered again: a replay too.
      if (err instanceof ReplayedError) replays.inc({ service: 'payments' })
      throw err
    })
    if (result.replayed) replays.inc({ service: 'payments' })
    else request.log.info({ fromWalletId, toWalletId, amountCents }, 'transfer committed')
    return sendIdempotent(reply, result)
  })
}
