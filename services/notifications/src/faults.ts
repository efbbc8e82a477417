import { Type, type Static } from '@sinclair/typebox'

/**
 * The service's fault flags, switched at run time (PUT /admin/faults) so the lab can break the
 * consumer on purpose and watch retries, the dead-letter topic and the alert.
 */
export const FaultsSchema = Type.Object({
  /** Fail every message whose key is this (an order id): a "poison message" on demand. */
  poisonKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 }))
}, { additionalProperties: false })
export type Faults = Static<typeof FaultsSchema>

export interface FaultSwitch {
  current: () => Readonly<Faults>
  /** Replaces every flag: a flag left out is switched off. */
  set: (faults: Faults) => void
}

export function createFaultSwitch (initial: Faults): FaultSwitch {
  let faults: Readonly<Faults> = Object.freeze({ ...initial })
  return {
    current: () => faults,
    set: (next) => { faults = Object.freeze({ ...next }) }
  }
}
