import { setTimeout as sleep } from 'node:timers/promises'
import { address } from '@lab/infra/topology'

/**
 * Global setup of the `docker-lab` test project: the Compose stack must already answer (brought up by
 * `./lab test --docker`, which also takes it down again). It is never started or switched to here.
 */
export default async function setup (): Promise<void> {
  if (process.env.LAB_MODE !== 'docker') throw new Error('the docker-lab project runs with LAB_MODE=docker (./lab test --docker)')
  const url = `http://${address('gateway', 'native')}/health/ready`
  let last = ''
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(1000)) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) })
      await res.body?.cancel()
      if (res.ok) return
      last = `answered ${res.status}`
    } catch (err) {
      last = (err as Error).message
    }
  }
  throw new Error(`the Docker lab's gateway (${url}) is not ready: ${last}. Bring the stack up with ./lab test --docker (or docker compose -f docker-compose.yml -f docker-compose.test.yml up --build -d --wait)`)
}
