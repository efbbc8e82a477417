import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { addLease, DETACHED_UP, processOwner, readAutostop, usedByOthers, writeAutostop } from '../leases.js'
import { labPaths, type LabPaths } from '../paths.js'

let home: string
let paths: LabPaths
const fresh = () => {
  home = mkdtempSync(join(tmpdir(), 'lab-leases-'))
  paths = labPaths(home)
}
afterEach(() => { rmSync(home, { recursive: true, force: true }) })

describe('leases on lab components', () => {
  it('reports the components another live user holds, not our own', () => {
    fresh()
    addLease(paths, DETACHED_UP, ['postgres', 'redis'])
    addLease(paths, processOwner(), ['kafka'])
    expect(usedByOthers(paths, processOwner())).toEqual(new Map([['postgres', ['./lab up']], ['redis', ['./lab up']]]))
  })

  it('forgets the lease of a process that is gone, even when its PID was reused', () => {
    fresh()
    // Our own PID with another start time: what a dead test run's lease looks like after PID reuse.
    addLease(paths, DETACHED_UP, [])
    const lease = { owner: { id: 'pid-other', pid: process.pid }, started: -1, components: ['postgres'] }
    writeFileSync(join(paths.runDir, 'leases', 'pid-other.json'), JSON.stringify(lease), { flag: 'w' })
    expect(usedByOthers(paths, { id: 'me' }).has('postgres')).toBe(false)
  })

  it('takes the components `./lab up -d` keeps off the autostop list', () => {
    fresh()
    writeAutostop(paths, ['postgres', 'kafka'])
    addLease(paths, DETACHED_UP, ['kafka'])
    expect(readAutostop(paths)).toEqual(['postgres'])
  })
})
