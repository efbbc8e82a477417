import { claimMessages, applyOnlyNew, type InboxDecision } from './inbox.js'

/**
 * The `idempotent-consumer` switch's "off" variant, chosen where a consumer is wired (payments' charges):
 * while `off(topic)` holds, every message of that topic is applied, a redelivery included, as a plain
 * at-least-once consumer would. Its inbox row is still written, so turning the switch back on finds
 * the history complete. inbox.ts itself knows nothing of switches.
 */
export function applyAgainWhile (off: (topic: string) => boolean): InboxDecision {
  return async (client, consumer, messages) => {
    if (!messages.some((m) => off(m.topic))) return await applyOnlyNew(client, consumer, messages)
    const fresh = await claimMessages(client, consumer, messages.map((m) => m.id))
    return messages.map((m) => fresh.delete(m.id) || off(m.topic))
  }
}
