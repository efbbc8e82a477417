import createError from '@fastify/error'

/**
 * Every error payments answers on purpose, with the PAYMENTS_ prefix. The platform's error handler
 * turns them into `{ statusCode, code, error, message, requestId }`.
 */
export const InvalidAmountError = createError<[string]>('PAYMENTS_INVALID_AMOUNT', '%s', 400)
export const SameWalletError = createError('PAYMENTS_SAME_WALLET', 'fromWalletId and toWalletId must differ', 400)
export const SystemWalletError = createError<[string]>('PAYMENTS_SYSTEM_WALLET', 'wallet %s is the system wallet: only charges and refunds move its money', 400)
export const WalletNotFoundError = createError<[string]>('PAYMENTS_WALLET_NOT_FOUND', 'wallet %s not found', 404)
export const WalletExistsError = createError<[string]>('PAYMENTS_WALLET_EXISTS', 'wallet %s already exists', 409)
export const BalanceConflictError = createError<[number]>('PAYMENTS_CONFLICT', 'the balances kept changing under this transfer (%s attempts); retry it', 409)
export const InsufficientFundsError = createError<[string, number, number]>(
  'PAYMENTS_INSUFFICIENT_FUNDS', 'wallet %s holds %s cents, less than the %s cents asked for; nothing was moved', 422)
export const BadSignatureError = createError<[string]>('PAYMENTS_BAD_SIGNATURE', 'provider callback refused: %s', 401)
export const BadCallbackError = createError<[string]>('PAYMENTS_BAD_CALLBACK', 'provider callback body is not valid: %s', 400)
