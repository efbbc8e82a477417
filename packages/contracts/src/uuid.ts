import { Type, type StringOptions, type TString } from '@sinclair/typebox'

/**
 * A UUID in its canonical 8-4-4-4-12 text form, either case (RFC 9562 §4: compared case-insensitively).
 * A pattern rather than `format: 'uuid'`: TypeBox's compiler (the lab's request validator) knows no formats.
 * @see https://www.rfc-editor.org/rfc/rfc9562#section-4
 */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'

/** A string schema matching UUID_PATTERN; `options` adds a description (or other annotations). */
export function uuidSchema (options: Omit<StringOptions, 'pattern'> = {}): TString {
  return Type.String({ pattern: UUID_PATTERN, ...options })
}
