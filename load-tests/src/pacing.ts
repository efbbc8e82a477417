/**
 * How to send `rate` requests per second evenly with autocannon. Its overallRate gives each connection
 * a budget per second, spent back to back from the moment the connection was made (lib/httpClient.js:
 * a 1 s interval resets it), so one instance sends in bursts at the start of each second. Instead,
 * `instances` autocannon instances of one connection each, started `1000 / instances` ms apart,
 * each with a budget of `perInstance[k]` per second: one request every 20 ms at 50 per second, each
 * sent whether or not the previous ones were answered (an open model) unless a connection is still
 * waiting for its own previous answer; hence as many instances as the rate allows, up to `maxInstances`.
 */
export function paced (rate: number, maxInstances = 50): { instances: number, offsetMs: number, perInstance: number[] } {
  const instances = Math.max(1, Math.min(rate, maxInstances))
  const perInstance = Array.from({ length: instances }, (_, k) => Math.floor(rate / instances) + (k < rate % instances ? 1 : 0))
  return { instances, offsetMs: 1000 / instances, perInstance }
}
