import { Worker } from 'node:worker_threads'
import type { MemorySummary, SamplerMessage } from './memory-peaks.js'

export interface MemorySampler {
  /** Labels the following samples (the lab's start, a scenario). */
  phase: (name: string) => void
  /** A process of the bench (and its descendants), reported apart from the lab. */
  own: (name: string, pid: number) => void
  stop: () => Promise<MemorySummary>
}

/**
 * Samples the lab's memory every 250 ms in a worker thread (memory-worker.ts) until stopped. The
 * thread inherits `--import tsx` from this process' execArgv.
 */
export function startMemorySampler (): MemorySampler {
  const worker = new Worker(new URL('./memory-worker.ts', import.meta.url))
  const failed = new Promise<never>((_resolve, reject) => {
    worker.once('error', reject)
    worker.once('exit', (code) => { reject(new Error(`the memory sampler exited with code ${code}`)) })
  })
  failed.catch(() => {})
  const send = (message: SamplerMessage) => { worker.postMessage(message) }
  return {
    phase: (phase) => { send({ type: 'phase', phase }) },
    own: (name, pid) => { send({ type: 'own', name, pid }) },
    stop: async () => {
      const summary = new Promise<MemorySummary>((resolve) => { worker.once('message', resolve) })
      send({ type: 'stop' })
      try {
        return await Promise.race([summary, failed])
      } finally {
        await worker.terminate()
      }
    }
  }
}
