import { afterAll, describe, expect, it } from 'vitest'
import { openFeed, type FeedClient } from '../../services/notifications/test/sse-client.js'
import { parkDeadLetter } from '../../grafana/test/support/dead-letter.js'
import { stack, until } from './stack.js'

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

interface AlertNotification { type: string, payload: { labels: Record<string, string>, status?: string } }

describe('Docker mode: an alert reaches the live feed through the containerised Alertmanager', () => {
  it('shows DeadLetterQueueNotEmpty on the gateway\'s /feed after a message is dead-lettered', async () => {
    // Another test may have just fired it (the dashboards' live check parks a dead letter too): a
    // firing alert that is still active sends no new notification, so wait until it has resolved.
    const activeNow = async () => (await (await fetch(`${stack.alertmanager}/api/v2/alerts?active=true&filter=alertname%3D%22DeadLetterQueueNotEmpty%22`)).json() as unknown[]).length
    await until('no DeadLetterQueueNotEmpty active in Alertmanager', async () => (await activeNow() === 0 ? true : undefined), 120_000, 1000)
    feed = await openFeed(`${stack.gateway}/feed`)
    expect(feed.statusCode).toBe(200)
    const parked = await parkDeadLetter()
    clear = parked.clear
    const isOurs = (data: string) => {
      const n = JSON.parse(data) as AlertNotification
      return n.type === 'alert.firing' && n.payload.labels.alertname === 'DeadLetterQueueNotEmpty'
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
