/**
 * The chaos front door as a library (`@lab/infra/chaos`), for experiments: the same actions as
 * `./lab chaos`, the admin API client with the lab's credential, the native process faults, and the
 * status and reset that cover both.
 */
export { applyChaos, runChaos } from './cli.js'
export { parseChaos, parseDuration, parseRate, ChaosUsageError, type ChaosAction } from './args.js'
export { createAdminClient, LabNotRunningError, AdminRefusedError, type AdminClient } from './admin-client.js'
export { processFault, type ProcessVerb } from './process-faults.js'
export { formatLabStatus, formatStatus, type ChaosStatus } from './format.js'
export { isLabHealthy, labStatus, type LabStatus, type ProcessesStatus } from './lab-status.js'
export { resetLab, type LabReset } from './reset.js'
