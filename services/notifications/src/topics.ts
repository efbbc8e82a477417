import { CHECKOUT_TOPICS, type CheckoutTopic } from '@lab/contracts'

/**
 * The checkout events this service turns into notifications (@lab/contracts; the saga:
 * docs/patterns/saga.md). The type of an event is its topic's name; `TOPIC_PREFIX` only isolates
 * topics (tests, parallel labs).
 */
export const EVENT_TYPES = CHECKOUT_TOPICS
export type EventType = CheckoutTopic

export interface TopicNames {
  /** The five topics to subscribe to, prefixed. */
  topics: string[]
  /** The event type a (prefixed) topic carries, or undefined for a topic we did not subscribe to. */
  typeOf: (topic: string) => EventType | undefined
}

export function topicNames (prefix: string): TopicNames {
  const byTopic = new Map<string, EventType>(EVENT_TYPES.map((type) => [`${prefix}${type}`, type]))
  return { topics: [...byTopic.keys()], typeOf: (topic) => byTopic.get(topic) }
}
