import { describe, expect, it } from 'vitest'
import { BenchUsageError, parseBenchArgs } from '../args.js'

describe('parseBenchArgs', () => {
  it('defaults to 10 s and 10 connections', () => {
    expect(parseBenchArgs([])).toEqual({ durationSeconds: 10, connections: 10, force: false })
  })

  it('takes --duration, --connections and --force, after an optional leading "bench"', () => {
    expect(parseBenchArgs(['bench', '--duration', '3', '--connections', '20', '--force'])).toEqual({ durationSeconds: 3, connections: 20, force: true })
    expect(parseBenchArgs(['--duration=5'])).toMatchObject({ durationSeconds: 5 })
  })

  it('refuses what is not a positive integer, and unknown options', () => {
    expect(() => parseBenchArgs(['--duration', '0'])).toThrow(BenchUsageError)
    expect(() => parseBenchArgs(['--connections', '2.5'])).toThrow(/--connections must be a positive integer/)
    expect(() => parseBenchArgs(['--wipe'])).toThrow(BenchUsageError)
  })
})
