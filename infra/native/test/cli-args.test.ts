import { describe, expect, it } from 'vitest'
import { parseCommand, UsageError } from '../cli-args.js'

describe('./lab command line', () => {
  it('reads up with its flags, short and long', () => {
    expect(parseCommand(['up'])).toEqual({ name: 'up', detach: false, infraOnly: false, fast: false })
    expect(parseCommand(['up', '-d', '--infra-only'])).toEqual({ name: 'up', detach: true, infraOnly: true, fast: false })
    expect(parseCommand(['up', '--detach', '--fast'])).toEqual({ name: 'up', detach: true, infraOnly: false, fast: true })
  })

  it('reads down, status and logs', () => {
    expect(parseCommand(['down', '--wipe'])).toEqual({ name: 'down', wipe: true })
    expect(parseCommand(['status'])).toEqual({ name: 'status' })
    expect(parseCommand(['logs', 'kafka', 'gateway', '-f', '--req', 'abc-1'])).toEqual({ name: 'logs', names: ['kafka', 'gateway'], follow: true, requestId: 'abc-1', format: 'auto' })
    expect(parseCommand(['logs'])).toEqual({ name: 'logs', names: [], follow: false, format: 'auto' })
  })

  it('reads how logs are shown: pretty on a terminal unless --pretty or --json says otherwise', () => {
    expect(parseCommand(['logs', '--pretty'])).toMatchObject({ format: 'pretty' })
    expect(parseCommand(['logs', 'gateway', '--json'])).toMatchObject({ names: ['gateway'], format: 'json' })
    expect(() => parseCommand(['logs', '--pretty', '--json'])).toThrow(UsageError)
  })

  it('passes every test argument but its own to vitest', () => {
    expect(parseCommand(['test', '--keep-infra', 'gateway/', '-t', 'breaker'])).toEqual({ name: 'test', keepInfra: true, vitestArgs: ['gateway/', '-t', 'breaker'] })
  })

  it('shows help without a command', () => {
    expect(parseCommand([])).toEqual({ name: 'help' })
    expect(parseCommand(['--help'])).toEqual({ name: 'help' })
  })

  it('rejects unknown commands and options as usage errors', () => {
    expect(() => parseCommand(['deploy'])).toThrow(UsageError)
    expect(() => parseCommand(['up', '--turbo'])).toThrow(UsageError)
    expect(() => parseCommand(['status', 'extra'])).toThrow(UsageError)
  })
})
