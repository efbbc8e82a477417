import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { createDatabase, expectErrorBody, metricValue, type TestDatabase } from '@lab/testkit'
import { buildNotifications, eventually, notificationsEnv, type NotificationsUnderTest } from '../build.js'
import { openFeed, type FeedClient } from '../sse-client.js'

let db: TestDatabase
let service: NotificationsUnderTest
let baseUrl: string
const clients: FeedClient[] = []

beforeAll(async () => {
  db = await createDatabase('notifications_alerts')
  service = await buildNotifications(notificationsEnv(db))
  baseUrl = await service.app.listen({ host: '127.0.0.1', port: 0 })
})

afterAll(async () => {
  for (const client of clients) client.close()
  await service?.app.close()
  await db?.drop()
})

/** One alert as Alertmanager 0.25 sends it (captured from the lab's, fingerprint made unique per test). */
function alert (status: 'firing' | 'resolved', name = 'ScrapeTargetDown', startsAt = '2026-12-02T14:00:05.123Z') {
  return {
    status,
    labels: { alertname: name, instance: 'catalog-1', job: 'catalog', severity: 'critical' },
    annotations: { summary: 'catalog-1 (catalog) does not answer Prometheus', description: 'Look: ./lab status' },
    startsAt,
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-12-02T14:03:00Z',
    generatorURL: 'http://127.0.0.1:9090/graph?g0.expr=up+%3D%3D+0',
    fingerprint: randomBytes(8).toString('hex')
  }
}

function webhook (alerts: Array<ReturnType<typeof alert>>) {
  return {
    version: '4',
    groupKey: '{}:{alertname="ScrapeTargetDown"}',
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'lab-feed',
    groupLabels: { alertname: alerts[0]?.labels.alertname ?? '' },
    commonLabels: { alertname: alerts[0]?.labels.alertname ?? '' },
    commonAnnotations: {},
    externalURL: 'http://127.0.0.1:9093',
    alerts
  }
}

async function post (payload: unknown) {
  return await service.app.inject({
    method: 'POST',
    url: '/alerts',
    headers: { 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload)
  })
}

describe('POST /alerts records Alertmanager alerts as notifications', () => {
  it('records each alert of a payload as an ops notification without an order', async () => {
    const firing = [alert('firing'), alert('firing', 'CircuitBreakerOpen')]
    const before = await metricValue(service.registry, 'notifications_total', { type: 'alert.firing' })
    const res = await post(webhook(firing))
    expect(res.statusCode).toBe(200)
    const body = res.json<{ received: number, recorded: number, ids: string[] }>()
    expect(body).toMatchObject({ received: 2, recorded: 2 })
    const stored = await service.app.inject({ method: 'GET', url: `/notifications/${body.ids[0]}` })
    expect(stored.statusCode).toBe(200)
    expect(stored.json()).toMatchObject({
      type: 'alert.firing',
      key: 'ScrapeTargetDown',
      orderId: null,
      channel: 'ops',
      message: 'FIRING critical ScrapeTargetDown: catalog-1 (catalog) does not answer Prometheus',
      payload: { fingerprint: firing[0]?.fingerprint, labels: firing[0]?.labels }
    })
    expect(await metricValue(service.registry, 'notifications_total', { type: 'alert.firing' })).toBe(before + 2)
  })

  it('makes one notification per alert and status, however often Alertmanager resends it', async () => {
    const firing = alert('firing')
    const first = (await post(webhook([firing]))).json<{ ids: string[] }>()
    const again = await post(webhook([firing]))
    expect(again.json()).toEqual({ received: 1, recorded: 0, ids: first.ids })

    const resolved = await post(webhook([{ ...firing, status: 'resolved', endsAt: '2026-12-02T14:03:00Z' }]))
    const { ids: [resolvedId] } = resolved.json<{ ids: string[] }>()
    expect(resolved.json()).toMatchObject({ received: 1, recorded: 1 })
    expect(resolvedId).not.toBe(first.ids[0])
    const stored = await service.app.inject({ method: 'GET', url: `/notifications/${resolvedId}` })
    expect(stored.json()).toMatchObject({ type: 'alert.resolved', message: 'RESOLVED critical ScrapeTargetDown (was: catalog-1 (catalog) does not answer Prometheus)' })

    // The same alert firing again later (a new startsAt) is a new notification.
    const refired = await post(webhook([{ ...firing, startsAt: '2026-12-02T15:00:00Z' }]))
    expect(refired.json()).toMatchObject({ recorded: 1 })
  })

  it('shows the alert on the live feed', async () => {
    const client = await openFeed(`${baseUrl}/feed`)
    clients.push(client)
    await eventually(async () => await metricValue(service.registry, 'sse_clients') === 1 ? true : undefined, 5000, 'the client counted')
    const firing = alert('firing', 'InventoryOversold')
    const { ids: [id] } = (await post(webhook([firing]))).json<{ ids: string[] }>()
    // Earlier tests' notifications may still be on their way to the feed: look for this one.
    const event = await eventually(async () => client.events.find((e) => e.id === id), 5000, 'the alert on the feed')
    expect(JSON.parse(event.data)).toMatchObject({ type: 'alert.firing', key: 'InventoryOversold', channel: 'ops' })
  })

  const valid = webhook([alert('firing')])
  const [validAlert] = valid.alerts
  it.each([
    ['malformed JSON', '{"version": "4"', 'FST_ERR_CTP_INVALID_JSON_BODY'],
    ['another payload version', { ...valid, version: '3' }, 'VALIDATION_FAILED'],
    ['no alerts', { ...valid, alerts: [] }, 'VALIDATION_FAILED'],
    ['an alert without alertname', { ...valid, alerts: [{ ...validAlert, labels: { severity: 'critical' } }] }, 'VALIDATION_FAILED'],
    ['an unknown status', { ...valid, alerts: [{ ...validAlert, status: 'pending' }] }, 'VALIDATION_FAILED'],
    ['a time that is not RFC 3339', { ...valid, alerts: [{ ...validAlert, startsAt: 'yesterday' }] }, 'VALIDATION_FAILED'],
    ['a label that is not a string', { ...valid, alerts: [{ ...validAlert, labels: { alertname: 'X', code: 5 } }] }, 'VALIDATION_FAILED'],
    ['a missing fingerprint', { ...valid, alerts: [{ ...validAlert, fingerprint: undefined }] }, 'VALIDATION_FAILED'],
    ['an array body', [valid], 'VALIDATION_FAILED']
  ])('rejects %s with a 400 and records nothing', async (_name, payload, code) => {
    const before = await service.app.inject({ method: 'GET', url: '/notifications?limit=100' })
    const res = await post(payload)
    expect(res.statusCode).toBe(400)
    expectErrorBody(res.json(), 400, code)
    const after = await service.app.inject({ method: 'GET', url: '/notifications?limit=100' })
    expect(after.json()).toEqual(before.json())
  })

  it('rejects a body that is not JSON (415)', async () => {
    const res = await service.app.inject({ method: 'POST', url: '/alerts', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'alert=1' })
    expect(res.statusCode).toBe(415)
    expectErrorBody(res.json(), 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
  })
})
