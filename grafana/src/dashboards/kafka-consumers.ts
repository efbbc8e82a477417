import type { DashboardSpec } from '../dashboard.js'
import { countInRange, sumRate } from '../promql.js'

// Every instance of a service reports its whole group's lag: max over instances, never sum (consumer-lag.ts).
const LAG = 'max by (group, topic, partition) (kafka_consumer_lag{group=~"$group"})'

/** packages/messaging/src/consumer*.ts: inbox in the effect's transaction, retries, dead-letter topics. */
export const kafkaConsumers: DashboardSpec = {
  slug: 'kafka-consumers',
  title: 'Pattern — Kafka consumers (idempotent, with dead letters)',
  description: 'The lab\'s consumer groups: lag per topic, messages by outcome (duplicates skipped by the inbox, retries, dead letters) and what the notifications consumer produces. Pages: docs/patterns/idempotent-consumer.md, saga.md.',
  tags: ['pattern', 'kafka', 'idempotent-consumer'],
  variables: [{ name: 'group', label: 'Consumer group', metric: 'kafka_consumer_lag', labelName: 'group' }],
  rows: [
    {
      title: 'Lag',
      panels: [
        {
          title: 'Consumer lag, by group and topic',
          shows: 'Messages each consumer group has not processed yet, per topic (high watermark minus committed offset, summed over partitions).',
          healthy: 'near 0; short spikes while a burst of orders is handled.',
          broken: 'lag that grows and does not come down: the consumer is stopped, crashed, or retrying one message (look at the retries below); orders stay pending meanwhile.',
          queries: [{ expr: `sum by (group, topic) (${LAG})`, legend: '{{group}} ← {{topic}}' }],
          unit: 'short',
          min: 0
        },
        {
          title: 'Consumer lag per partition',
          shows: 'The same lag for each partition (three per topic; the consumers work on them in parallel).',
          healthy: 'all partitions near 0.',
          broken: 'one partition far behind the others: a message on it is failing and being retried (messages of that partition wait behind it, in order).',
          queries: [{ expr: LAG, legend: '{{group}} ← {{topic}} [{{partition}}]' }],
          unit: 'short',
          min: 0
        },
        {
          kind: 'stat',
          title: 'Consumers restarted after a crash, in this time range',
          shows: 'Kafka consumers made anew after a crash kafkajs does not restart from (kafka_consumer_restarts_total), per consumer: typically a handler slower than the session, so the member was dropped from its group.',
          healthy: '0; kafkajs restarts a consumer after a retriable error by itself, and those are not counted here.',
          broken: 'above 0: a consumer lost its group (its log says "kafka consumer crashed", then "consumer restarted"); its uncommitted messages came again and the inbox skipped the ones already applied. Repeated restarts: a handler that outlasts the session (a slow dependency inside the batch).',
          queries: [{ expr: countInRange(['consumer'], 'kafka_consumer_restarts_total'), legend: '{{consumer}}' }],
          unit: 'short',
          steps: [[null, 'green'], [1, 'orange']],
          width: 24,
          height: 5
        }
      ]
    },
    {
      title: 'Messages by outcome',
      panels: [
        {
          title: 'Messages handled per second, by consumer and outcome',
          shows: 'Kafka messages each consumer handled per second (consumer_messages_total): processed, duplicate (already in the inbox: skipped), retried (an attempt failed), dead_lettered.',
          healthy: 'processed follows the events; duplicate only when events are redelivered (a rebalance, a replay): each is applied once.',
          broken: 'retried climbing (a handler failing), dead_lettered above 0 (a message given up), or processed at 0 while the lag grows.',
          queries: [{ expr: sumRate(['consumer', 'outcome'], 'consumer_messages_total'), legend: '{{consumer}} {{outcome}}' }],
          unit: 'ops',
          min: 0,
          width: 24
        },
        {
          title: 'Duplicates skipped by the inbox',
          shows: 'Messages already processed before (their id is in the consumer\'s processed-message table), skipped without repeating the effect.',
          healthy: '0 most of the time; equal to the redelivered messages when you replay or duplicate events: nothing is charged or notified twice.',
          broken: 'duplicates redelivered but not counted here while effects double (two notifications, two charges): the inbox is bypassed.',
          queries: [{ expr: sumRate(['consumer', 'topic'], 'consumer_messages_total{outcome="duplicate"}'), legend: '{{consumer}} ← {{topic}}' }],
          unit: 'ops',
          min: 0,
          width: 6
        },
        {
          title: 'Failed attempts retried',
          shows: 'Handler attempts that failed and were tried again (outcome retried), per consumer and topic.',
          healthy: '0, or a few during an outage of a dependency (PostgreSQL slowed or cut).',
          broken: 'a steady stream on one topic: a message that can never succeed; after the last attempt it goes to the dead-letter topic.',
          queries: [{ expr: sumRate(['consumer', 'topic'], 'consumer_messages_total{outcome="retried"}'), legend: '{{consumer}} ← {{topic}}' }],
          unit: 'ops',
          min: 0,
          width: 6
        },
        {
          kind: 'stat',
          title: 'Dead-lettered in this time range, by topic',
          shows: 'Messages moved to a dead-letter topic (<topic>.dlq.v1) in the selected time range (dlq_messages_total), per consumer and topic.',
          healthy: '0.',
          broken: 'above 0: a poison message or a handler bug; the message waits in the dead-letter topic for a fix and a replay.',
          queries: [{ expr: countInRange(['consumer', 'topic'], 'dlq_messages_total'), legend: '{{consumer}} ← {{topic}}' }],
          unit: 'short',
          steps: [[null, 'green'], [1, 'red']],
          width: 6
        },
        {
          kind: 'stat',
          title: 'Waiting in dead-letter topics now, by topic',
          shows: 'Messages each dead-letter topic holds now (kafka_dlq_depth: high minus low watermark, read from Kafka), however long ago they were parked; nobody consumes these topics.',
          healthy: '0 on every topic: nothing dead-lettered, or the dead letters were read, replayed if needed, and purged (./lab chaos dlq purge <topic>).',
          broken: 'above 0 (DeadLetterQueueNotEmpty fires): messages wait for an operator; read them with kcat (their x-error header says why), fix the cause, replay, then purge.',
          // Every instance of every group consuming the original topic reports the same depth: max, never sum.
          queries: [{ expr: 'max by (topic) (kafka_dlq_depth)', legend: '{{topic}}' }],
          unit: 'short',
          steps: [[null, 'green'], [1, 'red']],
          width: 6
        }
      ]
    },
    {
      title: 'Notifications (the second consumer)',
      panels: [
        {
          title: 'Notifications created, by event type',
          shows: 'Notifications the notifications consumer created per second (notifications_total), one per event: redeliveries are not counted.',
          healthy: 'one per orders.placed, payments.succeeded/failed and orders.confirmed/cancelled event.',
          broken: 'more notifications than events (duplicates slipped through), or none while orders flow (the consumer is stuck: see its lag).',
          queries: [{ expr: sumRate(['type'], 'notifications_total'), legend: '{{type}}' }],
          unit: 'ops',
          min: 0
        },
        {
          title: 'Live feed clients',
          shows: 'Clients connected to the live notification feed (GET /feed, Server-Sent Events), per replica (sse_clients).',
          healthy: 'the number of open curl -N 127.0.0.1:8080/feed sessions.',
          broken: 'clients dropping to 0 and coming back repeatedly: connections are being cut (too slow to keep up, or the service restarting).',
          queries: [{ expr: 'sum by (instance) (sse_clients)', legend: '{{instance}}' }],
          unit: 'short',
          min: 0
        }
      ]
    }
  ]
}
