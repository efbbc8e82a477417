import { createAdminClient } from '../../infra/native/chaos/admin-client.js'

/** The gateway's admin API (the chaos engineer's front door), with the lab's credential. */
export const admin = () => createAdminClient()

/**
 * Runs `fn` with a pattern switched off on every instance of `service` (PUT /admin/chaos/services/
 * <service>/switches), and switches it back on whatever happens: the "pattern off" column of a report.
 */
export async function withPatternOff<T> (service: string, pattern: string, fn: () => Promise<T>): Promise<T> {
  const client = admin()
  await client.call('PUT', `/admin/chaos/services/${service}/switches`, { [pattern]: false })
  try {
    return await fn()
  } finally {
    await client.call('PUT', `/admin/chaos/services/${service}/switches`, { [pattern]: true })
  }
}
