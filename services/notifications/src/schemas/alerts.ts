import { Type, type Static } from '@sinclair/typebox'

/**
 * Alertmanager's webhook payload, version 4: what `webhook_configs` POSTs for a group of alerts.
 * Unknown extra fields are accepted (a newer Alertmanager may add some); the ones we rely on are
 * required and typed, so anything else is a 400.
 * @see https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 */
const Status = Type.Union([Type.Literal('firing'), Type.Literal('resolved')])
/** RFC 3339, as Alertmanager writes it (Go's time.Time); `0001-01-01T00:00:00Z` means "no end yet". */
const Rfc3339 = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$', description: 'an RFC 3339 time' })
const LabelValue = Type.String({ maxLength: 4096 })
const LabelSet = Type.Record(Type.String({ maxLength: 256 }), LabelValue, { maxProperties: 64 })

export const AlertSchema = Type.Object({
  status: Status,
  /** Every alert has its rule's name; the rest (severity, instance, ...) come from the rule and the series. */
  labels: Type.Object({ alertname: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: LabelValue, maxProperties: 64 }),
  annotations: LabelSet,
  startsAt: Rfc3339,
  endsAt: Rfc3339,
  generatorURL: Type.String({ maxLength: 4096 }),
  /** Alertmanager's hash of the labels: one alert, across its firing and resolved notifications. */
  fingerprint: Type.String({ pattern: '^[0-9a-f]{1,32}$' })
})
export type Alert = Static<typeof AlertSchema>

export const AlertmanagerWebhookSchema = Type.Object({
  version: Type.Literal('4'),
  groupKey: Type.String({ maxLength: 4096 }),
  /** Alerts left out because of the receiver's max_alerts. */
  truncatedAlerts: Type.Optional(Type.Integer({ minimum: 0 })),
  status: Status,
  receiver: Type.String({ maxLength: 256 }),
  groupLabels: LabelSet,
  commonLabels: LabelSet,
  commonAnnotations: LabelSet,
  externalURL: Type.String({ maxLength: 4096 }),
  alerts: Type.Array(AlertSchema, { minItems: 1, maxItems: 1000 })
})
export type AlertmanagerWebhook = Static<typeof AlertmanagerWebhookSchema>

export const AlertsRecordedSchema = Type.Object({
  /** Alerts in the payload. */
  received: Type.Integer(),
  /** Of those, the ones that made a new notification; the rest were recorded already (Alertmanager resends). */
  recorded: Type.Integer(),
  /** The notification id of each alert, in the payload's order (found on the feed and at GET /notifications/:id). */
  ids: Type.Array(Type.String())
})
