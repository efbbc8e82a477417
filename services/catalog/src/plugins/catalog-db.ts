import fp from 'fastify-plugin'
import type { CatalogMetrics } from '../metrics.js'
import type { CatalogFaultSwitch } from '../faults.js'
import { createQueryRunner } from '../db/query.js'
import { listProducts, loadProductPage, updateProduct, type UpdateOutcome } from '../db/products.js'
import { listCategories } from '../db/categories.js'
import type { Product, ProductPage, ProductUpdate } from '../schemas/product.js'
import type { Category } from '../schemas/category.js'

export interface CatalogDb {
  loadProductPage: (id: number) => Promise<ProductPage | null>
  listProducts: (page: { afterId: number, limit: number, categoryId?: number }) => Promise<Product[]>
  updateProduct: (id: number, changes: ProductUpdate) => Promise<UpdateOutcome>
  listCategories: () => Promise<Category[]>
}

declare module 'fastify' {
  interface FastifyInstance {
    catalogDb: CatalogDb
  }
}

/** The catalog's SQL, bound to the app's pool and counted per query: decorated as `app.catalogDb`. */
export const catalogDbPlugin = fp<{ metrics: CatalogMetrics, faults: CatalogFaultSwitch }>(async (app, { metrics, faults }) => {
  const query = createQueryRunner(app.pg, metrics, () => faults.current().slowQueryMs)
  app.decorate('catalogDb', {
    loadProductPage: async (id) => await loadProductPage(query, id),
    listProducts: async (page) => await listProducts(query, page),
    updateProduct: async (id, changes) => await updateProduct(query, id, changes),
    listCategories: async () => await listCategories(query)
  } satisfies CatalogDb)
}, { name: 'catalog-db', dependencies: ['lab-postgres'] })
