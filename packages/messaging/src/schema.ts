import { OUTBOX_TABLE_SQL } from './outbox.js'
import { PROCESSED_MESSAGES_TABLE_SQL } from './inbox.js'

/** Both tables of the messaging machinery; idempotent, so a service runs it in its migrations at every boot. */
export const MESSAGING_MIGRATION_SQL = OUTBOX_TABLE_SQL + PROCESSED_MESSAGES_TABLE_SQL
