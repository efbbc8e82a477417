/**
 * A TTL with random jitter, in milliseconds: `baseSeconds ± jitter × baseSeconds`, uniformly.
 *
 * Why: keys written together (a deploy, a warm-up, a burst of traffic after an outage) would otherwise
 * all expire in the same instant and send their readers to Postgres at once, a synchronised stampede
 * that single-flight per key does not prevent, since it is many keys. Spreading expiry over a window
 * turns that spike into a trickle.
 * @see https://aws.amazon.com/builders-library/caching-challenges-and-strategies/ ("jitter")
 */
export function ttlWithJitterMs (baseSeconds: number, jitter: number, random: () => number = Math.random): number {
  const spread = baseSeconds * jitter
  const seconds = baseSeconds - spread + random() * 2 * spread
  return Math.max(1, Math.round(seconds * 1000))
}
