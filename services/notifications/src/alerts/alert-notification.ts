import { createHash } from 'node:crypto'
import type { NewNotification } from '../db/notifications.js'
import type { Alert } from '../schemas/alerts.js'

/**
 * One notification per alert and status: the id is a hash of Alertmanager's fingerprint, the status
 * and when the alert started, so the reminders Alertmanager resends (repeat_interval, or a retry
 * after a failed POST) make no second notification, while the same alert firing again later (a new
 * startsAt) does. Formatted as a version-8 (custom) UUID, the notifications table's id type.
 * @see https://www.rfc-editor.org/rfc/rfc9562#name-uuid-version-8
 */
export function alertNotificationId (alert: Pick<Alert, 'fingerprint' | 'status' | 'startsAt'>): string {
  const bytes = createHash('sha256').update(`${alert.fingerprint}|${alert.status}|${alert.startsAt}`).digest().subarray(0, 16)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * "FIRING critical ScrapeTargetDown: catalog-1 (catalog) does not answer Prometheus". A resolved
 * alert carries the summary of its last firing evaluation, so it reads "RESOLVED … (was: …)".
 */
export function alertMessage (alert: Alert): string {
  // additionalProperties: the schema types only alertname; every other label is a string too.
  const labels: Record<string, string | undefined> = alert.labels
  const severity = labels.severity === undefined ? '' : ` ${labels.severity}`
  const summary = alert.annotations.summary ?? alert.annotations.description
  const detail = summary === undefined ? '' : alert.status === 'firing' ? `: ${summary}` : ` (was: ${summary})`
  return `${alert.status.toUpperCase()}${severity} ${alert.labels.alertname}${detail}`
}

/** The notification an alert becomes: channel ops, no order, the whole alert as its payload. */
export function alertNotification (alert: Alert, requestId: string): NewNotification {
  return {
    id: alertNotificationId(alert),
    type: `alert.${alert.status}`,
    key: alert.labels.alertname,
    orderId: null,
    channel: 'ops',
    message: alertMessage(alert),
    payload: alert,
    requestId
  }
}
