import type { DashboardSpec } from '../dashboard.js'
import { p99, ratio, sumRate } from '../promql.js'
import { BREAKER_STATES, CACHE_HIT_RATIO, postgresConnections, redisMemory } from './shared-panels.js'

const JOB = 'job=~"$job"'

/** The whole lab on one screen: RED per service, then one signal per pattern, then the dependencies. */
export const overview: DashboardSpec = {
  slug: 'overview',
  title: 'System Design Lab — overview',
  description: 'Requests, errors and latency of every service, one signal per pattern, and the dependencies. Each pattern has its own dashboard (see the Lab dashboards menu).',
  tags: ['overview'],
  variables: [{ name: 'job', label: 'Service', metric: 'http_server_requests_total', labelName: 'job' }],
  rows: [
    {
      title: 'Requests, errors, latency (per service)',
      panels: [
        {
          title: 'Requests per second, by service',
          shows: 'HTTP requests each service answered per second (http_server_requests_total), health probes and /metrics left out.',
          healthy: 'the gateway carries the sum of what clients send; catalog, orders and the others follow the traffic you drive.',
          broken: 'a service that drops to zero while the gateway still has traffic is down or out of rotation (see "Replicas in rotation" on the circuit breakers dashboard).',
          queries: [{ expr: sumRate(['job'], `http_server_requests_total{${JOB}}`), legend: '{{job}}' }],
          unit: 'reqps',
          min: 0,
          width: 8
        },
        {
          title: 'Share of requests that failed (5xx), by service',
          shows: 'Server errors (status 5xx) as a share of all answers, per service.',
          healthy: '0% everywhere, even while you break things: breakers fail fast with a clear 503 only for the broken dependency.',
          broken: 'a service above a few percent; at the gateway, 503s mean an upstream breaker is open or no replica is healthy, 504s mean an upstream was too slow.',
          queries: [{ expr: ratio(['job'], `http_server_requests_total{${JOB},status_code=~"5.."}`, `http_server_requests_total{${JOB}}`), legend: '{{job}}' }],
          unit: 'percentunit',
          min: 0,
          width: 8
        },
        {
          title: 'Slowest 1% of requests (p99 latency), by service',
          shows: 'The time under which 99% of each service\'s requests finished (http_server_request_duration_seconds).',
          healthy: 'a few milliseconds for cache hits and reads, tens of milliseconds for an order (several transactions).',
          broken: 'a jump to hundreds of milliseconds or seconds: a slow dependency (Toxiproxy latency, provider latency knob) that no timeout cuts short, or a saturated machine.',
          queries: [{ expr: p99(['job'], `http_server_request_duration_seconds_bucket{${JOB}}`), legend: '{{job}}' }],
          unit: 's',
          min: 0,
          width: 8
        },
        {
          title: 'Gateway answers by status code',
          shows: 'What clients got back from the gateway, per status code.',
          healthy: 'mostly 200 and 201, a few 404 (unknown products), 429 only when a client goes over its rate limit.',
          broken: 'a band of 503 (an open breaker or no healthy replica), 504 (an upstream timing out) or 500 (a bug: never expected).',
          queries: [{ expr: sumRate(['status_code'], 'http_server_requests_total{job="gateway"}'), legend: '{{status_code}}' }],
          unit: 'reqps',
          min: 0,
          width: 12
        },
        {
          title: 'Scrape targets answering',
          shows: 'Per scrape job, the share of its targets Prometheus could scrape at the last attempt (up).',
          healthy: '1 (100%) for every job: each service, Prometheus itself and the exporters answer /metrics.',
          broken: 'a job below 1 has a target down: that process is stopped, crashed or hung (./lab status, ./lab logs <name>).',
          queries: [{ expr: 'avg by (job) (up)', legend: '{{job}}' }],
          unit: 'percentunit',
          min: 0,
          max: 1,
          width: 12
        }
      ]
    },
    {
      title: 'The patterns at a glance',
      panels: [
        {
          kind: 'state',
          title: 'Circuit breakers',
          shows: 'The state of every circuit breaker, per service and the dependency it guards: closed, half-open (one probe call allowed) or open (calls refused at once).',
          healthy: 'all green (closed); a breaker that opens while you break its dependency and closes again once it answers.',
          broken: 'a breaker that stays red (open) after its dependency is back, or one that never opens while its dependency fails (requests then wait for timeouts).',
          queries: [{ expr: 'max by (job, breaker) (circuit_breaker_state)', legend: '{{job}} → {{breaker}}' }],
          valueTexts: BREAKER_STATES,
          width: 12,
          height: 9
        },
        {
          title: 'Rate limiter decisions',
          shows: 'Requests the gateway\'s rate limiter allowed and rejected per second, over all algorithms (gateway_rate_limit_decisions_total).',
          healthy: 'allowed follows the traffic; rejected appears only while a client sends more than its budget (default 100 requests per second, 50 orders per second).',
          broken: 'rejections with ordinary traffic (the budget is wrong), or no decisions at all while requests flow (Redis is failing and the limiter fails open: see the rate limiting dashboard).',
          queries: [{ expr: sumRate(['decision'], 'gateway_rate_limit_decisions_total'), legend: '{{decision}}' }],
          unit: 'reqps',
          min: 0,
          width: 12,
          height: 9
        },
        {
          title: 'Catalog cache hit ratio',
          shows: 'The share of product reads answered from Redis without touching PostgreSQL.',
          healthy: 'high (above 90%) once the popular products are cached; a dip after a product is updated (its key is deleted on write).',
          broken: 'a collapse towards 0: Redis is down or slow (reads bypass the cache) or keys expire too soon; PostgreSQL then takes every read.',
          queries: [{ expr: CACHE_HIT_RATIO([]), legend: 'hit ratio' }],
          unit: 'percentunit',
          min: 0,
          max: 1,
          width: 6
        },
        {
          title: 'Kafka consumer lag, by group',
          shows: 'Messages the consumer groups have not processed yet (kafka_consumer_lag, summed over partitions).',
          healthy: 'near 0, with short spikes while a burst of orders is handled.',
          broken: 'a lag that keeps growing: a consumer stopped, crashed, or is stuck retrying; orders then stay pending.',
          queries: [{ expr: 'sum by (group) (max by (group, topic, partition) (kafka_consumer_lag))', legend: '{{group}}' }],
          unit: 'short',
          min: 0,
          width: 6
        },
        {
          title: 'Outbox rows waiting to be published',
          shows: 'Events committed with their order or payment but not yet published to Kafka (outbox_backlog), per service.',
          healthy: '0, or a few rows for a moment: the relay publishes every few tens of milliseconds.',
          broken: 'a backlog that grows: Kafka is unreachable or the relay stopped; nothing is lost (the rows wait), but the saga stalls.',
          queries: [{ expr: 'max by (service) (outbox_backlog)', legend: '{{service}}' }],
          unit: 'short',
          min: 0,
          width: 6
        },
        {
          kind: 'stat',
          title: 'Messages waiting in dead-letter topics',
          shows: 'Messages the consumers gave up on that still sit in a dead-letter topic (<topic>.dlq.v1) now, however long ago they were parked (kafka_dlq_depth, read from Kafka; the DeadLetterQueueNotEmpty alert).',
          healthy: '0: every message was processed (retries included), or the dead letters were handled and purged (./lab chaos dlq purge).',
          broken: 'above 0: poison messages or a failing handler; ./lab chaos dlq lists the topics, the consumer\'s log and the x-error header of each message say why.',
          queries: [{ expr: 'sum(max by (topic) (kafka_dlq_depth))', legend: 'waiting' }],
          unit: 'short',
          steps: [[null, 'green'], [1, 'red']],
          width: 6
        },
        {
          kind: 'stat',
          title: 'Alerts firing now',
          shows: 'How many of the lab\'s alert rules are firing at this moment (ALERTS), whatever their severity.',
          healthy: '0 while nothing is broken; the count rises while you break something and falls once it is repaired.',
          broken: 'an alert still firing after the fault is gone, or 0 while something is visibly broken (a rule missing or wrong).',
          queries: [{ expr: 'count(ALERTS{alertstate="firing"}) or vector(0)', legend: 'firing' }],
          unit: 'short',
          steps: [[null, 'green'], [1, 'red']],
          width: 6
        },
        {
          title: 'Firing alerts, by name',
          shows: 'Each alert rule that is firing, over time (0 when none is).',
          healthy: 'a flat 0; lines appear only for the faults you caused, and end when you repair them.',
          broken: 'a line that stays up after the repair, or one for a fault you did not cause: look at the named alert\'s description.',
          queries: [{ expr: 'count by (alertname) (ALERTS{alertstate="firing"}) or on () label_replace(vector(0), "alertname", "none firing", "", "")', legend: '{{alertname}}' }],
          unit: 'short',
          min: 0,
          width: 12
        },
        {
          title: 'Alert notifications sent to the lab',
          shows: 'Notifications Alertmanager sent to the lab\'s webhook (the notifications service, which shows them in the live feed), and the ones that failed.',
          healthy: 'a notification shortly after an alert starts firing and another when it resolves; no failures.',
          broken: 'alerts firing with no notifications sent (routing wrong, Alertmanager unreachable from Prometheus), or failures (the webhook, i.e. the notifications service, is down).',
          queries: [
            { expr: sumRate([], 'alertmanager_notifications_total{job="alertmanager",integration="webhook"}'), legend: 'sent' },
            { expr: sumRate([], 'alertmanager_notifications_failed_total{job="alertmanager",integration="webhook"}'), legend: 'failed' }
          ],
          unit: 'ops',
          min: 0,
          width: 6,
          needsJob: 'alertmanager'
        },
        {
          kind: 'state',
          title: 'Pattern switches',
          shows: 'Each pattern switch of each service (lab_pattern_enabled): on (the pattern runs) or off (switched off through ./lab chaos switch or the gateway\'s /admin/switches to show the failure it prevents).',
          healthy: 'all on, except for the window in which you turned a pattern off on purpose; ./lab chaos reset turns every one back on.',
          broken: 'a pattern left off after an experiment: the failure it prevents (a stampede, an oversell, a retry storm, a double charge) is possible again. ./lab chaos status lists it.',
          queries: [{ expr: 'min by (job, pattern) (lab_pattern_enabled)', legend: '{{job}}: {{pattern}}' }],
          valueTexts: { 0: { text: 'off', color: 'red' }, 1: { text: 'on', color: 'green' } },
          width: 24,
          height: 9
        }
      ]
    },
    {
      title: 'Dependencies',
      panels: [
        postgresConnections,
        redisMemory,
        {
          title: 'Time to scrape each target',
          shows: 'How long Prometheus took to scrape each target\'s /metrics (scrape_duration_seconds).',
          healthy: 'a few milliseconds per target: metrics are cheap to collect.',
          broken: 'tens of milliseconds or more: a target with too many series (label cardinality), or a process starved of CPU.',
          queries: [{ expr: 'max by (job) (scrape_duration_seconds)', legend: '{{job}}' }],
          unit: 's',
          min: 0,
          width: 24
        }
      ]
    }
  ]
}
