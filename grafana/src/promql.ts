/**
 * PromQL shapes the dashboards repeat. Every rate uses Grafana's `$__rate_interval` (at least four
 * scrape intervals), so a panel never draws gaps when zoomed in; every sum names what it keeps, so the
 * number of series stays that of the labels kept, whatever the instances.
 * @see https://grafana.com/blog/2020/09/28/new-in-grafana-7.2-__rate_interval-for-prometheus-rate-queries-that-just-work/
 */

const sum = (labels: string[], inner: string) => (labels.length === 0 ? `sum(${inner})` : `sum by (${labels.join(', ')}) (${inner})`)

export function rate (selector: string): string {
  return `rate(${selector}[$__rate_interval])`
}

/** Per-second rate, summed keeping only `labels`. */
export function sumRate (labels: string[], selector: string): string {
  return sum(labels, rate(selector))
}

/** Events in the dashboard's time range (or another window), summed keeping only `labels`. */
export function sumIncrease (labels: string[], selector: string, window = '$__range'): string {
  return sum(labels, `increase(${selector}[${window}])`)
}

/**
 * Events counted in the dashboard's time range, for counters that may first appear with their first
 * event (a consumer that exports no zeros): increase() needs a sample before the jump and would miss
 * it. So a series that existed when the range began counts its increase() (restarts included), and
 * one born inside the range counts the highest value it reached (everything it ever counted).
 */
export function countInRange (labels: string[], selector: string): string {
  return sum(labels, `(increase(${selector}[$__range]) and ${selector} offset $__range) or (max_over_time(${selector}[$__range]) unless ${selector} offset $__range)`)
}

/**
 * `part / whole` of two rates. The `or 0 * whole` keeps a 0 where `part` has no series yet (no 5xx
 * ever answered, no rejection ever made): otherwise the ratio would vanish instead of reading 0.
 */
export function ratio (labels: string[], part: string, whole: string): string {
  return `(${sumRate(labels, part)} or 0 * ${sumRate(labels, whole)}) / ${sumRate(labels, whole)}`
}

/** The 99th percentile of a histogram, per `labels`. `bucket` is the `_bucket` selector. */
export function p99 (labels: string[], bucket: string): string {
  return `histogram_quantile(0.99, sum by (${[...labels, 'le'].join(', ')}) (${rate(bucket)}))`
}
