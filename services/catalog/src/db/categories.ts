import type { RunQuery } from './query.js'
import type { Category } from '../schemas/category.js'

export async function listCategories (query: RunQuery): Promise<Category[]> {
  const { rows } = await query<Category>('list_categories', `
    SELECT c.id, c.slug, c.name, count(p.id)::int AS product_count
    FROM categories c LEFT JOIN products p ON p.category_id = c.id
    GROUP BY c.id ORDER BY c.id`)
  return rows
}
