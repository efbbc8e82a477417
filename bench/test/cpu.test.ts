import { describe, expect, it } from 'vitest'
import { cpuUse, parseCpuTicks, parseMachineTicks, postgresBucket } from '../checkout/cpu.js'

describe('parseCpuTicks', () => {
  it('adds its own and its reaped children\'s user and system time, counting fields after the command name even when it holds spaces and parentheses', () => {
    const stat = '4242 (node (tsx) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 1500 250 30 7 20 0 11 0 1000 123456 789 18446744073709551615'
    expect(parseCpuTicks(stat)).toBe(1787)
  })
})

describe('postgresBucket', () => {
  it('puts a backend under its lab database, a test database apart, and the rest under the server', () => {
    expect(postgresBucket('postgres: lab orders 127.0.0.1(47562) idle')).toBe('orders')
    expect(postgresBucket('postgres: lab messaging_mx66a7fy_31d0a9c7 127.0.0.1(40000) INSERT')).toBe('other databases')
    expect(postgresBucket('postgres: walwriter')).toBe('server, WAL, ended connections')
    expect(postgresBucket('postgres: autovacuum worker orders')).toBe('server, WAL, ended connections')
    expect(postgresBucket('')).toBe('server, WAL, ended connections')
  })
})

describe('parseMachineTicks', () => {
  it('counts all ticks of the first cpu line, and as busy all but idle and iowait', () => {
    const procStat = 'cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n'
    expect(parseMachineTicks(procStat)).toEqual({ total: 1000, busy: 160 })
  })
})

describe('cpuUse', () => {
  it('gives average cores per process and machine-wide over the time between two snapshots', () => {
    const before = { atMs: 0, machine: { total: 0, busy: 0 }, byName: { postgres: 100, orders: 50, idle: 7 } }
    // 2 s later on 2 cores: 400 ticks in all, 300 busy; postgres used 100 ticks (1 s of CPU), orders 50.
    const after = { atMs: 2000, machine: { total: 400, busy: 300 }, byName: { postgres: 200, orders: 100, idle: 7 } }
    expect(cpuUse(before, after, 2)).toEqual({ seconds: 2, cores: 2, machineBusyCores: 1.5, byName: [['postgres', 0.5], ['orders', 0.25]] })
  })
})
