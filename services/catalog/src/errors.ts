import createError from '@fastify/error'

/**
 * Every error the catalog answers on purpose, with the CATALOG_ prefix. The platform's error handler
 * turns them into `{ statusCode, code, error, message, requestId }`.
 */
export const ProductNotFoundError = createError<[string]>('CATALOG_PRODUCT_NOT_FOUND', 'product %s not found', 404)
export const InvalidCursorError = createError('CATALOG_INVALID_CURSOR', 'cursor is not one this API returned; start again without it', 400)
export const EmptyUpdateError = createError('CATALOG_EMPTY_UPDATE', 'give at least one of name, description, price_cents', 400)
export const VersionConflictError = createError<[string, number, number]>('CATALOG_VERSION_CONFLICT', 'product %s is at version %s, not %s; read it again and retry', 409)
