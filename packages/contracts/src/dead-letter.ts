const DEAD_LETTER_SUFFIX = '.dlq.v1'

/** Where the idempotent consumer (@lab/messaging) parks what it gives up on: `orders.placed.v1` → `orders.placed.v1.dlq.v1`. */
export function deadLetterTopic (topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`
}

/** Whether a topic is one of our dead-letter topics (named by deadLetterTopic). */
export function isDeadLetterTopic (topic: string): boolean {
  return topic.endsWith(DEAD_LETTER_SUFFIX) && topic.length > DEAD_LETTER_SUFFIX.length
}
