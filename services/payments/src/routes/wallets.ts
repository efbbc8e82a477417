import { randomUUID } from 'node:crypto'
import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses, withTransaction } from '@lab/platform'
import { CreateWalletSchema, WalletParamsSchema, WalletSchema, type Wallet } from '../schemas/wallet.js'
import { ConsistencySchema } from '../schemas/ledger.js'
import { createWallet, findWallet, checkConsistency, type WalletView } from '../db/wallets.js'
import { formatCents, parseAmountCents } from '../amount.js'
import { WalletExistsError, WalletNotFoundError } from '../errors.js'

const RECENT_ENTRIES = 20

export const walletRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.setValidatorCompiler(TypeBoxValidatorCompiler)

  /** A wallet's balance and its latest ledger entries. */
  app.get('/wallets/:id', {
    schema: { params: WalletParamsSchema, response: { 200: WalletSchema, ...errorResponses(400, 404, 500) } }
  }, async (request) => {
    const wallet = await findWallet(app.pg, request.params.id, RECENT_ENTRIES)
    if (wallet === null) throw new WalletNotFoundError(request.params.id)
    return view(wallet)
  })

  /**
   * A new wallet (id given, or `w-<uuid>`). `initialBalance` creates money from nothing, once, here
   * only: it is recorded as the wallet's opening 'seed' entry, as for the seeded customers, so the
   * ledger still explains every cent (GET /ledger/consistency counts it in seededCents).
   */
  app.post('/wallets', {
    schema: { body: CreateWalletSchema, response: { 201: WalletSchema, ...errorResponses(400, 409, 413, 415, 500) } }
  }, async (request, reply) => {
    const id = request.body.id ?? `w-${randomUUID()}`
    const initialCents = request.body.initialBalance === undefined ? 0 : parseAmountCents(request.body.initialBalance, { allowZero: true })
    const created = await withTransaction(app.pg, async (client) => await createWallet(client, id, initialCents))
    if (!created) throw new WalletExistsError(id)
    request.log.info({ walletId: id, initialCents }, 'wallet created')
    const wallet = await findWallet(app.pg, id, RECENT_ENTRIES)
    if (wallet === null) throw new WalletNotFoundError(id)
    return reply.code(201).send(view(wallet))
  })

  /** The ledger's invariants, for tests and experiments: balances equal their ledgers, money is conserved. */
  app.get('/ledger/consistency', {
    schema: { response: { 200: ConsistencySchema, ...errorResponses(500) } }
  }, async () => await checkConsistency(app.pg))
}

function view (wallet: WalletView): Wallet {
  return { ...wallet, balance: formatCents(wallet.balanceCents) }
}
