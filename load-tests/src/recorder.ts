import { LatencyRecorder, percentile } from '../../bench/stats.js'
import { Timeline, type TimelineSecond } from './timeline.js'

/** Milliseconds, from every value's own time (autocannon's histogram keeps whole ms only). */
export interface LatencySummary {
  count: number
  p50: number
  p90: number
  p95: number
  p99: number
  avg: number
  max: number
}

export function summarizeLatencies (recorder: LatencyRecorder): LatencySummary {
  const sorted = recorder.sorted()
  let sum = 0
  for (const v of sorted) sum += v
  const at = (p: number) => percentile(sorted, p)
  return { count: sorted.length, p50: at(50), p90: at(90), p95: at(95), p99: at(99), avg: sorted.length === 0 ? Number.NaN : sum / sorted.length, max: at(100) }
}

/** What one kind of request of a flow (`product`, `place`, `poll`, ...) got. */
export interface RequestFigures {
  name: string
  /** Answers by label: the status, plus the error code of a JSON error body (`409 ORDERS_OUT_OF_STOCK`). */
  byStatus: Record<string, number>
  answered: number
  /** Answers whose status is not among the scenario's expected ones. */
  unexpected: number
  /** No answer: connection errors and timeouts. */
  noAnswer: number
  latency: LatencySummary
}

/** `409 ORDERS_OUT_OF_STOCK` for an error answer with a JSON `code`, else the bare status. */
export function statusLabel (status: number, body: string | undefined): string {
  if (status < 400 || body === undefined || body === '') return String(status)
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code
    return typeof code === 'string' ? `${status} ${code}` : String(status)
  } catch {
    return String(status)
  }
}

/** Counts and latencies of every answer of a run, by request name and in total. */
export class Recorder {
  private readonly names = new Map<string, { byStatus: Map<string, number>, unexpected: number, noAnswer: number, latency: LatencyRecorder }>()
  private readonly all = new LatencyRecorder()
  private readonly statuses = new Map<number, number>()
  answered = 0
  unexpected = 0
  noAnswer = 0

  private readonly timeline = new Timeline()

  constructor (private readonly expected: ReadonlySet<number>) {}

  private of (name: string) {
    let entry = this.names.get(name)
    if (entry === undefined) {
      entry = { byStatus: new Map(), unexpected: 0, noAnswer: 0, latency: new LatencyRecorder() }
      this.names.set(name, entry)
    }
    return entry
  }

  answer (name: string, status: number, latencyMs: number, body?: string): void {
    const entry = this.of(name)
    // Only error answers are parsed for their code: the successful bodies are never needed here.
    const label = statusLabel(status, status >= 400 ? body : undefined)
    entry.byStatus.set(label, (entry.byStatus.get(label) ?? 0) + 1)
    entry.latency.record(latencyMs)
    this.all.record(latencyMs)
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1)
    this.answered++
    const unexpected = !this.expected.has(status)
    this.timeline.answer(status, latencyMs, unexpected)
    if (unexpected) {
      entry.unexpected++
      this.unexpected++
    }
  }

  failure (name: string): void {
    this.of(name).noAnswer++
    this.noAnswer++
    this.timeline.lost()
  }

  statusCount (status: number): number {
    return this.statuses.get(status) ?? 0
  }

  /** Unexpected answers and missing ones, over all requests that ended (k6's http_req_failed). */
  errorRate (): number {
    const ended = this.answered + this.noAnswer
    return ended === 0 ? Number.NaN : (this.unexpected + this.noAnswer) / ended
  }

  figures (): { all: LatencySummary, requests: RequestFigures[], timeline: TimelineSecond[] } {
    const requests = [...this.names].map(([name, e]) => ({
      name,
      byStatus: Object.fromEntries([...e.byStatus].sort(([a], [b]) => a.localeCompare(b))),
      answered: e.latency.count,
      unexpected: e.unexpected,
      noAnswer: e.noAnswer,
      latency: summarizeLatencies(e.latency)
    }))
    return { all: summarizeLatencies(this.all), requests, timeline: this.timeline.toJSON() }
  }
}
