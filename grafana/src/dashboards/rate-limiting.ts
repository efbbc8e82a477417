import type { DashboardSpec } from '../dashboard.js'
import { countInRange, ratio, sumRate } from '../promql.js'
import { BREAKER_STATES } from './shared-panels.js'

/** gateway/src/rate-limit/: fixed window, sliding window and token bucket, atomic in Redis. */
export const rateLimiting: DashboardSpec = {
  slug: 'rate-limiting',
  title: 'Pattern — rate limiting (gateway)',
  description: 'The gateway\'s rate limiter: decisions per algorithm, the 429s clients get, the admin API\'s limits against guessing, and what happens when its Redis fails (it fails open). Page: docs/patterns/rate-limiting.md.',
  tags: ['pattern', 'rate-limiting'],
  rows: [
    {
      title: 'Decisions',
      panels: [
        {
          title: 'Decisions per second, by algorithm and decision',
          shows: 'Rate-limit decisions taken in Redis per second (gateway_rate_limit_decisions_total): allowed or rejected, per algorithm (sliding-window is the default policy, token-bucket guards POST /orders).',
          healthy: 'allowed follows the traffic; rejected stays at 0 until a client goes over its budget.',
          broken: 'rejections under ordinary traffic (a budget too small), or allowed dropping to 0 while requests still flow (decisions are no longer taken: see the fail-open panels below).',
          queries: [{ expr: sumRate(['algorithm', 'decision'], 'gateway_rate_limit_decisions_total'), legend: '{{algorithm}} {{decision}}' }],
          unit: 'reqps',
          min: 0
        },
        {
          title: 'Share of requests rejected, by algorithm',
          shows: 'Rejected decisions as a share of all decisions, per algorithm.',
          healthy: '0% under normal use; during a burst past the budget, the share of the burst above the limit (a burst of 150 in one second at 100 per second: about a third).',
          broken: 'a steady share of rejections from ordinary clients, or 100% (a budget of almost nothing).',
          queries: [{ expr: ratio(['algorithm'], 'gateway_rate_limit_decisions_total{decision="rejected"}', 'gateway_rate_limit_decisions_total'), legend: '{{algorithm}}' }],
          unit: 'percentunit',
          min: 0,
          max: 1
        },
        {
          title: '429 answers from the gateway, by route',
          shows: 'Requests the gateway answered 429 Too Many Requests (with Retry-After), per second and route.',
          healthy: 'nothing, except while you drive a burst past the limit (e.g. the burst scenario).',
          broken: '429s on routes nobody floods: one client key shared by many users (all behind one address), or a policy set too low.',
          queries: [{ expr: sumRate(['route'], 'http_server_requests_total{job="gateway",status_code="429"}'), legend: '{{route}}' }],
          unit: 'reqps',
          min: 0
        },
        {
          kind: 'stat',
          title: 'Requests rejected in this time range',
          shows: 'How many requests the limiter rejected in the selected time range, per algorithm.',
          healthy: '0, or the overflow of the bursts you drove.',
          broken: 'a large number without a burst: look at which routes get 429s.',
          queries: [{ expr: countInRange(['algorithm'], 'gateway_rate_limit_decisions_total{decision="rejected"}'), legend: '{{algorithm}}' }],
          unit: 'short',
          steps: [[null, 'green'], [1, 'orange']]
        }
      ]
    },
    {
      title: 'The admin API against guessing',
      panels: [
        {
          title: 'Wrong admin credentials and admin 429s',
          shows: 'Requests to /admin/… with a wrong bearer credential (gateway_admin_auth_failures_total), and admin requests refused with 429 (gateway_admin_rate_limited_total): reason requests (past the per-address budget, 20/s by default) or auth_failures (locked out after 5 wrong credentials in a minute).',
          healthy: '0: the lab\'s tools (./lab chaos, the experiments) send the configured credential a few times a minute at most.',
          broken: 'wrong credentials above 0: someone guessing, or a tool with a stale LAB_ADMIN_TOKEN; auth_failures 429s: that address is locked out until its window ends (Retry-After); requests 429s: a loop calling the admin API.',
          queries: [
            { expr: sumRate([], 'gateway_admin_auth_failures_total'), legend: 'wrong credentials' },
            { expr: sumRate(['reason'], 'gateway_admin_rate_limited_total'), legend: '429 {{reason}}' }
          ],
          unit: 'reqps',
          min: 0
        }
      ]
    },
    {
      title: 'When Redis fails (fail-open)',
      panels: [
        {
          title: 'Requests let through without a decision',
          shows: 'Requests the gateway let through unlimited because Redis failed, timed out, or its breaker refused the call (gateway_rate_limit_errors_total).',
          healthy: '0.',
          broken: 'the whole traffic while Redis is down or slow: the gateway stays up (fail-open) but limits nobody; the decision panels above go quiet at the same time.',
          queries: [{ expr: sumRate(['algorithm'], 'gateway_rate_limit_errors_total'), legend: '{{algorithm}}' }],
          unit: 'reqps',
          min: 0
        },
        {
          kind: 'state',
          title: 'Rate limiter\'s breaker around Redis',
          shows: 'The state of the gateway\'s circuit breaker around the rate limiter\'s Redis calls.',
          healthy: 'closed (green).',
          broken: 'open (red) while Redis is failing: requests no longer wait for Redis\'s timeout before being let through; half-open while it probes Redis again.',
          queries: [{ expr: 'max(circuit_breaker_state{job="gateway",breaker="redis"})', legend: 'gateway → redis' }],
          valueTexts: BREAKER_STATES
        }
      ]
    }
  ]
}
