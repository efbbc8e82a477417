import { afterAll, describe, expect, it } from 'vitest'
import { openFeed, type FeedClient } from '../../services/notifications/test/sse-client.js'
import { parkDeadLetter } from '../../grafana/test/support/dead-letter.js'
import { json, stack, until } from './stack.js'

/**
 * Docker mode: an alert travels the containerised path, Prometheus → Alertmanager → notifications'
 * webhook → the live feed behind the gateway. The failure is real: a malformed message parked in a
 * dead-letter topic fires DeadLetterQueueNotEmpty (docs/alerts.md).
 */
let feed: FeedClient | undefined
let clear: (() => Promise<void>) | undefined
afterAll(async () => {
  feed?.close()
  await clear?.()
})

interface AlertNotification { type: string, payload: { labels?: Record<string, string>, status?: string, startsAt?: string } }

/** Whether every firing of `alertname` recorded by notifications (newest 100) has its resolved notification too. */
async function everyFiringResolved (alertname: string): Promise<boolean> {
  const { items } = await json<{ items: AlertNotification[] }>(await fetch(`${stack.gateway}/notifications?limit=100`))
  const ours = items.filter((n) => n.payload.labels?.alertname === alertname)
  const startsAt = (status: string) => new Set(ours.filter((n) => n.type === `alert.${status}`).map((n) => n.payload.startsAt))
  const resolved = startsAt('resolved')
  return [...startsAt('firing')].every((s) => resolved.has(s))
}

describe('Docker mode: an alert reaches the live feed through the containerised Alertmanager', () => {
  it('shows DeadLetterQueueNotEmpty on the gateway\'s /feed after a message is dead-lettered', async () => {
    // Another test may have just fired it (the dashboards' live check parks a dead letter too). A
    // firing alert that is still active sends no new notification; nor does one that resolved and
    // fires again before its group's next flush (group_interval): Alertmanager's notification log
    // still holds it as firing and deduplicates until repeat_interval (4 h). So wait until it has
    // resolved and its resolved notification has reached notifications (docs/alerts.md).
    const activeNow = async () => (await (await fetch(`${stack.alertmanager}/api/v2/alerts?active=true&filter=alertname%3D%22DeadLetterQueueNotEmpty%22`)).json() as unknown[]).length
    await until('no DeadLetterQueueNotEmpty active in Alertmanager, and every firing of it notified as resolved', async () => (await activeNow() === 0 && await everyFiringResolved('DeadLetterQueueNotEmpty') ? true : undefined), 120_000, 1000)
    feed = await openFeed(`${stack.gateway}/feed`)
    expect(feed.statusCode).toBe(200)
    const parked = await parkDeadLetter()
    clear = parked.clear
    const isOurs = (data: string) => {
      const n = JSON.parse(data) as AlertNotification
      return n.type === 'alert.firing' && n.payload.labels?.alertname === 'DeadLetterQueueNotEmpty'
    }
    const current = feed
    const alert = await until('DeadLetterQueueNotEmpty on the feed', async () => current.events.find((e) => isOurs(e.data)), 90_000, 500)
    const notification = JSON.parse(alert.data) as AlertNotification
    expect(notification.payload.labels).toMatchObject({ alertname: 'DeadLetterQueueNotEmpty' })
    // It came through Alertmanager: the Alertmanager in the stack holds it as active too.
    const active = await (await fetch(`${stack.alertmanager}/api/v2/alerts?filter=alertname%3D%22DeadLetterQueueNotEmpty%22`)).json() as unknown[]
    expect(active.length).toBeGreaterThan(0)
  }, 240_000)
})
