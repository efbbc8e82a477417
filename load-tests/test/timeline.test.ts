import { describe, expect, it } from 'vitest'
import { Timeline } from '../src/timeline.js'

describe('Timeline', () => {
  it('puts each answer in the second it arrived, counting unexpected and lost ones as errors', () => {
    const timeline = new Timeline(1000)
    timeline.answer(200, 5, false, 1100)
    timeline.answer(200, 7, false, 1900)
    timeline.answer(503, 1, true, 2500)
    timeline.lost(2600)
    timeline.answer(200, 9, false, 4999)
    expect(timeline.toJSON()).toEqual([
      { second: 0, answers: 2, errors: 0, byStatus: { 200: 2 }, p50Ms: 5, p99Ms: 7 },
      { second: 1, answers: 1, errors: 2, byStatus: { 503: 1 }, p50Ms: 1, p99Ms: 1 },
      // A second with nothing in it is there too: an outage shows as a gap, not as a missing row.
      { second: 2, answers: 0, errors: 0, byStatus: {}, p50Ms: Number.NaN, p99Ms: Number.NaN },
      { second: 3, answers: 1, errors: 0, byStatus: { 200: 1 }, p50Ms: 9, p99Ms: 9 }
    ])
  })

  it('is empty before anything arrived', () => {
    expect(new Timeline().toJSON()).toEqual([])
  })
})
