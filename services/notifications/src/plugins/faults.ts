import fp from 'fastify-plugin'
import { createFaultSwitch, type FaultSwitch } from '../faults.js'
import type { NotificationsConfig } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    faults: FaultSwitch
  }
}

/** The fault flags, as configured at boot (POISON_KEY), switchable later through /admin/faults. */
export const faultsPlugin = fp<{ config: NotificationsConfig }>(async (app, { config }) => {
  app.decorate('faults', createFaultSwitch(config.POISON_KEY === '' ? {} : { poisonKey: config.POISON_KEY }))
}, { name: 'notifications-faults' })
