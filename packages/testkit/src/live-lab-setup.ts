import { ensureInfra, stopComponents } from '@lab/infra/native'
import { infra, services } from '@lab/infra/topology'
import { testkitEnv } from './config.js'

/**
 * Global setup of the `live-lab` test project (the experiments and the dashboards' live check): the
 * whole native lab, started once for all of its files rather than by each file in turn, and stopped
 * again at the end (only what this run started: a lab already running is shared and left running).
 */
export default async function setup (): Promise<() => Promise<void>> {
  const log = (line: string) => { process.stderr.write(`[testkit] ${line}\n`) }
  const components = [...infra.filter((c) => c.native).map((c) => c.name), ...services.map((s) => s.name)]
  const { started } = await ensureInfra({ components, log })
  if (started.length > 0) log(`live lab: started ${started.join(', ')}`)
  return async () => {
    if (!testkitEnv.keepInfra) await stopComponents(started, log)
  }
}
