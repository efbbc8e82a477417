import createError from '@fastify/error'

/**
 * Every error the notifications service raises on purpose, with the NOTIFICATIONS_ prefix. HTTP ones
 * become `{ statusCode, code, error, message, requestId }` through the platform's error handler;
 * consumer ones fail the message, and their message ends up in the dead letter's `x-error` header.
 */
export const NotificationNotFoundError = createError<[string]>('NOTIFICATIONS_NOT_FOUND', 'notification %s not found', 404)
export const InvalidCursorError = createError('NOTIFICATIONS_INVALID_CURSOR', 'cursor is not one this API returned; start again without it', 400)
export const InvalidLastEventIdError = createError('NOTIFICATIONS_INVALID_LAST_EVENT_ID', 'Last-Event-ID must be the id of a notification this feed sent', 400)
export const UnknownLastEventIdError = createError<[string]>('NOTIFICATIONS_UNKNOWN_LAST_EVENT_ID', 'no notification %s: cannot tell which ones were missed; reconnect without Last-Event-ID', 404)

/** The event's data does not match its type's schema: no retry will fix it, so it ends in the DLQ. */
export const EventDataInvalidError = createError<[string, string]>('NOTIFICATIONS_EVENT_DATA_INVALID', '%s data invalid: %s', 500)
/** The envelope says it is another type than the topic it came on. */
export const EventTypeMismatchError = createError<[string, string]>('NOTIFICATIONS_EVENT_TYPE_MISMATCH', 'envelope type %s arrived on topic %s', 500)
/** The fault flag `poisonKey` matched: the lab's "consumer that fails on a given message". */
export const PoisonKeyError = createError<[string]>('NOTIFICATIONS_POISON_KEY', 'fault injected: messages with key %s fail (PUT /admin/faults)', 500)
