import { randomUUID } from 'node:crypto'
import { Type, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { uuidSchema } from '@lab/contracts'

/**
 * Every event on the lab's topics: `id` is the idempotency key consumers dedupe on, `type` the topic
 * name, `key` the partition key (an order id keeps one order's events in order), `data` the payload.
 */
export const EnvelopeSchema = Type.Object({
  id: uuidSchema(),
  type: Type.String({ minLength: 1 }),
  occurredAt: Type.String({ minLength: 1 }),
  key: Type.String(),
  data: Type.Unknown()
}, { $id: 'Envelope' })

export interface Envelope<T = unknown> {
  id: string
  type: string
  occurredAt: string
  key: string
  data: T
}

export type EnvelopeJson = Static<typeof EnvelopeSchema>

export type ParsedEnvelope = { ok: true, envelope: Envelope } | { ok: false, error: string }

const checker = TypeCompiler.Compile(EnvelopeSchema)

export function createEnvelope<T> (type: string, key: string, data: T, id: string = randomUUID()): Envelope<T> {
  return { id, type, occurredAt: new Date().toISOString(), key, data }
}

/** Decode a Kafka message value; never throws, so a poison message can go to the DLQ with a reason. */
export function parseEnvelope (value: Buffer | string | null | undefined): ParsedEnvelope {
  if (value === null || value === undefined || value.length === 0) return { ok: false, error: 'empty message value' }
  let decoded: unknown
  try {
    decoded = JSON.parse(value.toString())
  } catch (err) {
    return { ok: false, error: `malformed JSON: ${(err as Error).message}` }
  }
  if (checker.Check(decoded)) return { ok: true, envelope: decoded }
  const first = checker.Errors(decoded).First()
  return { ok: false, error: `invalid envelope: ${first === undefined ? 'unknown' : `${first.path || '/'} ${first.message}`}` }
}
