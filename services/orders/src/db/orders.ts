import type pg from 'pg'
import type { Order } from '../schemas/order.js'

/** A connection or the pool: reads run on either, writes on the transaction's client. */
type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>

export interface NewOrder {
  id: string
  customerId: string
  productId: number
  quantity: number
  amountCents: number
  paymentMethod: 'wallet' | 'card'
  reservationId: string
}

interface OrderRow {
  id: string
  customer_id: string
  product_id: number
  quantity: number
  /** bigint: pg hands it over as a string. Order amounts stay far below 2^53. */
  amount_cents: string
  payment_method: 'wallet' | 'card'
  status: Order['status']
  cancel_reason: string | null
  reservation_id: string
  created_at: Date
  updated_at: Date
  version: number
}

/** The statements are named: prepared once per connection, not parsed and planned per order. */
const COLUMNS = 'id, customer_id, product_id, quantity, amount_cents, payment_method, status, cancel_reason, reservation_id, created_at, updated_at, version'

function toOrder (row: OrderRow): Order {
  return {
    id: row.id,
    customerId: row.customer_id,
    productId: row.product_id,
    quantity: row.quantity,
    amountCents: Number(row.amount_cents),
    paymentMethod: row.payment_method,
    status: row.status,
    cancelReason: row.cancel_reason,
    reservationId: row.reservation_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version
  }
}

/** Inserts a new order, pending. Runs inside the transaction that also enqueues orders.placed.v1. */
export async function insertOrder (db: Queryable, order: NewOrder): Promise<Order> {
  const { rows } = await db.query<OrderRow>({
    name: 'orders.insert',
    text: `INSERT INTO orders (id, customer_id, product_id, quantity, amount_cents, payment_method, reservation_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           RETURNING ${COLUMNS}`,
    values: [order.id, order.customerId, order.productId, order.quantity, order.amountCents, order.paymentMethod, order.reservationId]
  })
  return toOrder(rows[0] as OrderRow)
}

export async function findOrder (db: Queryable, id: string): Promise<Order | null> {
  const { rows } = await db.query<OrderRow>({ name: 'orders.find', text: `SELECT ${COLUMNS} FROM orders WHERE id = $1`, values: [id] })
  return rows[0] === undefined ? null : toOrder(rows[0])
}

/**
 * Reads the order and locks its row until the transaction ends, so two payment events for one order
 * (on two topics, so possibly handled at once) decide its next state one after the other.
 */
export async function lockOrder (client: pg.PoolClient, id: string): Promise<Order | null> {
  const { rows } = await client.query<OrderRow>({ name: 'orders.lock', text: `SELECT ${COLUMNS} FROM orders WHERE id = $1 FOR UPDATE`, values: [id] })
  return rows[0] === undefined ? null : toOrder(rows[0])
}

/**
 * Moves an order from `pending` to `confirmed` or `cancelled`. Conditional on the current status, so a
 * transition can only ever happen once; null when the order was not pending.
 */
export async function finishPendingOrder (client: pg.PoolClient, id: string, to: { status: 'confirmed' } | { status: 'cancelled', reason: string }): Promise<Order | null> {
  const { rows } = await client.query<OrderRow>({
    name: 'orders.finish-pending',
    text: `UPDATE orders SET status = $2, cancel_reason = $3, version = version + 1, updated_at = now()
           WHERE id = $1 AND status = 'pending'
           RETURNING ${COLUMNS}`,
    values: [id, to.status, to.status === 'cancelled' ? to.reason : null]
  })
  return rows[0] === undefined ? null : toOrder(rows[0])
}
