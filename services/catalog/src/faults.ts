import { Type, type Static } from '@sinclair/typebox'

/**
 * The catalog's fault flags, switched at run time (PUT /admin/faults, through the gateway's admin API):
 * a slow query on demand, to watch the cache absorb it (hits stay fast, misses slow down) and the
 * pool fill up when the cache is switched off.
 */
export const CatalogFaultsSchema = Type.Object({
  /** Added to every product-page query, inside PostgreSQL (pg_sleep on the same pooled connection). */
  slowQueryMs: Type.Integer({ minimum: 0, maximum: 10_000 })
}, { additionalProperties: false })
export type CatalogFaults = Static<typeof CatalogFaultsSchema>

export const CatalogFaultsUpdateSchema = Type.Partial(CatalogFaultsSchema, { additionalProperties: false, minProperties: 1 })

export const NO_FAULTS: CatalogFaults = Object.freeze({ slowQueryMs: 0 })

export interface CatalogFaultSwitch {
  current: () => Readonly<CatalogFaults>
  update: (change: Partial<CatalogFaults>) => Readonly<CatalogFaults>
  reset: () => Readonly<CatalogFaults>
}

export function createCatalogFaults (): CatalogFaultSwitch {
  let faults: Readonly<CatalogFaults> = NO_FAULTS
  return {
    current: () => faults,
    update: (change) => {
      faults = Object.freeze({ ...faults, ...change })
      return faults
    },
    reset: () => {
      faults = NO_FAULTS
      return faults
    }
  }
}
