/**
 * The memory sampler's thread: every 250 ms, the resident memory of every lab process (each PID file's
 * process and all its descendants: RSS and PSS) and of the bench's own processes. A thread of its own, so walking
 * /proc never stalls the event loop that times autocannon's requests.
 */
import { parentPort } from 'node:worker_threads'
import { allComponents } from '../infra/native/components/registry.js'
import { labPaths } from '../infra/native/paths.js'
import { runningPid } from '../infra/native/supervisor.js'
import { memoryOf, processTree, readProcessTable, type Memory } from './proc.js'
import { createPeakTracker, type SamplerMessage } from './memory-peaks.js'

const INTERVAL_MS = 250
const port = parentPort
if (port === null) throw new Error('memory-worker.ts runs as a worker thread')

const paths = labPaths()
const components = allComponents(paths)
const own = new Map<string, number>()
const peaks = createPeakTracker()
let phase = 'before the restart'

function sample (): void {
  const table = readProcessTable()
  const claimed = new Set<number>()
  const groupMemory = (root: number) => {
    const tree = processTree(table, root).filter((pid) => !claimed.has(pid))
    for (const pid of tree) claimed.add(pid)
    return memoryOf(table, tree)
  }
  const lab: Record<string, Memory> = {}
  for (const c of components) {
    const pid = runningPid(paths, c.name, c.marker)
    if (pid !== undefined) lab[c.name] = groupMemory(pid)
  }
  const mine: Record<string, Memory> = {}
  for (const [name, pid] of own) mine[name] = groupMemory(pid)
  // What is left under the bench process: itself (autocannon runs in it) and its ./lab calls.
  mine['bench process (autocannon)'] = groupMemory(process.pid)
  peaks.add({ atMs: Date.now(), phase, lab, own: mine })
}

const timer = setInterval(sample, INTERVAL_MS)
sample()

port.on('message', (message: SamplerMessage) => {
  switch (message.type) {
    case 'phase': phase = message.phase; break
    case 'own': own.set(message.name, message.pid); break
    case 'stop':
      clearInterval(timer)
      sample()
      port.postMessage(peaks.summary())
      port.close()
  }
})
