/**
 * `./lab chaos …`: the command line over the gateway's admin API, plus native process faults.
 * Importable: experiments call runChaos() with the same words a user types.
 */
import { createContext } from '../commands/context.js'
import { hideNegativeTimeoutWarning } from '../quiet-warnings.js'
import { createAdminClient, type AdminClient } from './admin-client.js'
import { ChaosUsageError, parseChaos, type ChaosAction } from './args.js'
import { deadLetters, formatDeadLetters, type DeadLetterReport } from './dead-letters.js'
import { formatLabStatus } from './format.js'
import { CHAOS_HELP } from './help.js'
import { isLabHealthy, labStatus, type LabStatus } from './lab-status.js'
import { composeProcessFault } from '../../docker/compose-processes.js'
import { labMode } from '../../docker/mode.js'
import { processFault } from './process-faults.js'
import { resetLab, type LabReset } from './reset.js'

const PROXY_FAULT_PATH: Record<string, string> = { latency: 'latency', timeout: 'timeout', 'reset-peer': 'reset-peer', bandwidth: 'bandwidth' }

/**
 * Runs one action; answers what the admin API answered (nothing for process faults and help; a LabStatus
 * for status and a LabReset for reset, which look at the native lab's processes too).
 */
export async function applyChaos (action: ChaosAction, admin: AdminClient = createAdminClient(), log: (line: string) => void = () => {}): Promise<unknown> {
  switch (action.kind) {
    case 'help': return undefined
    case 'status': {
      const { paths, components } = createContext()
      return await labStatus(paths, components, admin)
    }
    case 'reset': {
      const { paths, components } = createContext()
      return await resetLab(paths, components, admin, log)
    }
    case 'proxy': return action.fault === 'down'
      ? await admin.call('PUT', `/admin/chaos/proxies/${action.proxy}/down`)
      : await admin.call('DELETE', `/admin/chaos/proxies/${action.proxy}`)
    case 'toxic': return await admin.call('PUT', `/admin/chaos/proxies/${action.proxy}/${PROXY_FAULT_PATH[action.fault] ?? action.fault}`, action.body)
    case 'faults': return action.body === null
      ? await admin.call('DELETE', `/admin/chaos/services/${action.service}/faults`)
      : await admin.call('PUT', `/admin/chaos/services/${action.service}/faults`, action.body)
    case 'readiness': return await admin.call('PUT', `/admin/chaos/services/${action.service}/readiness${action.instance === undefined ? '' : `?instance=${action.instance}`}`, { answering: action.answering })
    case 'switch': return await admin.call('PUT', `/admin/chaos/services/${action.service}/switches`, { [action.pattern]: action.on })
    case 'switches-reset': return await admin.call('DELETE', `/admin/chaos/services/${action.service}/switches`)
    case 'process': {
      if (labMode() === 'docker') {
        await composeProcessFault(action.verb, action.component, log)
        return undefined
      }
      const { paths, components } = createContext()
      await processFault(paths, components, action.verb, action.component, log)
      return undefined
    }
    case 'dlq': return await deadLetters(action.purge) // Kafka's own admin API, not the gateway's
  }
}

/** The words after `./lab chaos`, as a user types them; answers the exit code. */
export async function runChaos (argv: string[], out: (line: string) => void = (line) => { process.stdout.write(`${line}\n`) }): Promise<number> {
  // --docker: the Compose stack's containers for process faults and status (the admin API is the same gateway).
  if (argv.includes('--docker')) {
    process.env.LAB_MODE = 'docker'
    argv = argv.filter((a) => a !== '--docker')
  }
  let action: ChaosAction
  try {
    action = parseChaos(argv)
  } catch (err) {
    if (!(err instanceof ChaosUsageError)) throw err
    process.stderr.write(`lab chaos: ${err.message}\n\n${CHAOS_HELP}\n`)
    return 2
  }
  if (action.kind === 'help') {
    out(CHAOS_HELP)
    return 0
  }
  const answer = await applyChaos(action, createAdminClient(), out)
  if (action.kind === 'status') {
    const status = answer as LabStatus
    out(formatLabStatus(status))
    return 'error' in status.admin ? 1 : 0
  }
  if (action.kind === 'reset') {
    const { startError, status } = answer as LabReset
    if (startError !== undefined) process.stderr.write(`lab chaos: not everything that was down started again:\n${startError}\n`)
    out(formatLabStatus(status))
    return startError === undefined && isLabHealthy(status) ? 0 : 1
  }
  if (action.kind === 'dlq') out(formatDeadLetters(answer as DeadLetterReport))
  else if (answer !== undefined) out(JSON.stringify(answer, null, 2))
  return 0
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  hideNegativeTimeoutWarning()
  runChaos(process.argv.slice(2)).then(
    (code) => { process.exitCode = code },
    (err: unknown) => {
      process.stderr.write(`lab chaos: ${err instanceof Error ? err.message : String(err)}\n`)
      process.exitCode = 1
    }
  )
}
