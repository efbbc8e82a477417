/**
 * The chaos front door as a library (`@lab/infra/chaos`), for experiments: the same actions as
 * `./lab chaos`, the admin API client with the lab's credential, and the native process faults.
 */
export { applyChaos, runChaos } from './cli.js'
export { parseChaos, parseDuration, parseRate, ChaosUsageError, type ChaosAction } from './args.js'
export { createAdminClient, LabNotRunningError, AdminRefusedError, type AdminClient } from './admin-client.js'
export { processFault, type ProcessVerb } from './process-faults.js'
export { formatStatus, type ChaosStatus } from './format.js'
