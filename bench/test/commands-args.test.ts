import { describe, expect, it } from 'vitest'
import { BenchUsageError, splitCommand } from '../args.js'
import { CHECKOUT_USAGE, parseCheckoutArgs } from '../checkout/args.js'
import { CONSUMER_USAGE, parseConsumerArgs } from '../consumer/args.js'

describe('splitCommand', () => {
  it('runs the foundation without a command, its options untouched', () => {
    expect(splitCommand([])).toEqual({ command: 'foundation', args: [] })
    expect(splitCommand(['bench', '--duration', '3'])).toEqual({ command: 'foundation', args: ['--duration', '3'] })
  })

  it('takes checkout, consumer, inventory and all, and passes what follows on', () => {
    expect(splitCommand(['checkout', '--card'])).toEqual({ command: 'checkout', args: ['--card'] })
    expect(splitCommand(['bench', 'consumer'])).toEqual({ command: 'consumer', args: [] })
    expect(splitCommand(['inventory', '--buyers', '50'])).toEqual({ command: 'inventory', args: ['--buyers', '50'] })
    expect(splitCommand(['all', '--force'])).toEqual({ command: 'all', args: ['--force'] })
  })

  it('leaves an unknown word to the foundation, whose parser refuses it', () => {
    expect(splitCommand(['chekout'])).toEqual({ command: 'foundation', args: ['chekout'] })
  })
})

describe('parseCheckoutArgs', () => {
  it('defaults to 10 s at 10 connections, then 50 orders/s for 10 s, wallet, 2000 products spread', () => {
    expect(parseCheckoutArgs([])).toEqual({
      durationSeconds: 10, connections: 10, rate: 50, rateDurationSeconds: 10, paymentMethod: 'wallet', hot: false, products: 2000, settleSeconds: 30
    })
  })

  it('takes every option', () => {
    expect(parseCheckoutArgs(['--duration', '5', '--connections=20', '--rate', '80', '--rate-duration', '4', '--card', '--hot', '--products', '10000', '--settle', '60']))
      .toEqual({ durationSeconds: 5, connections: 20, rate: 80, rateDurationSeconds: 4, paymentMethod: 'card', hot: true, products: 10_000, settleSeconds: 60 })
  })

  it('refuses bad values and unknown options with its own usage, and answers --help with it', () => {
    expect(() => parseCheckoutArgs(['--rate', '0'])).toThrow(/--rate must be a positive integer/)
    const unknown = (() => { try { parseCheckoutArgs(['--wallet']) } catch (err) { return err } })()
    expect(unknown).toBeInstanceOf(BenchUsageError)
    expect((unknown as BenchUsageError).usage).toBe(CHECKOUT_USAGE)
    expect(() => parseCheckoutArgs(['--help'])).toThrow(expect.objectContaining({ message: '', usage: CHECKOUT_USAGE }))
  })
})

describe('parseConsumerArgs', () => {
  it('defaults to 20,000 messages on 3 partitions, samples of 5,000, diagnosis only below the target', () => {
    expect(parseConsumerArgs([])).toEqual({ messages: 20_000, partitions: 3, sample: 5000, diagnose: false })
  })

  it('never samples more messages than there are', () => {
    expect(parseConsumerArgs(['--messages', '1000', '--diagnose'])).toEqual({ messages: 1000, partitions: 3, sample: 1000, diagnose: true })
  })

  it('refuses bad values with its own usage', () => {
    expect(() => parseConsumerArgs(['--messages', '-5'])).toThrow(expect.objectContaining({ usage: CONSUMER_USAGE }))
  })
})
