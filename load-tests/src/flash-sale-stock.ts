import { restockRequest } from '../lib/requests.js'
import type { FlashSaleParams } from '../lib/scenario.js'

/**
 * Before a flash sale: the product's available units set to the sale's stock, on inventory itself
 * (PUT /stock/:productId is an admin operation the gateway does not route), at its current price.
 */
export async function prepareFlashSaleStock (inventoryUrl: string, params: FlashSaleParams): Promise<{ before: number, after: number }> {
  const url = `${inventoryUrl}/stock/${params.productId}`
  const current = await fetch(url)
  if (current.status !== 200) throw new Error(`GET ${url} answered ${current.status}: is inventory at ${inventoryUrl}?`)
  const stock = await current.json() as { available: number, priceCents: number }
  const { path, body } = restockRequest(params, stock)
  const put = await fetch(`${inventoryUrl}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body })
  if (put.status !== 200) throw new Error(`PUT ${inventoryUrl}${path} answered ${put.status}: ${await put.text()}`)
  return { before: stock.available, after: (await put.json() as { available: number }).available }
}
