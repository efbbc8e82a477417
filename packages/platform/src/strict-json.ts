import createError from '@fastify/error'
import sjson from 'secure-json-parse'

/** Fastify's own codes for malformed and empty JSON, so every service keeps answering them the same way. */
export const InvalidJsonBodyError = createError('FST_ERR_CTP_INVALID_JSON_BODY', 'body is not valid JSON', 400)
export const EmptyJsonBodyError = createError('FST_ERR_CTP_EMPTY_JSON_BODY', 'body cannot be empty when content-type is set to \'application/json\'', 400)
export const InvalidUtf8Error = createError('INPUT_INVALID_UTF8', 'body is not valid UTF-8', 400)
export const DuplicateJsonKeyError = createError<[key: string]>('INPUT_DUPLICATE_JSON_KEY', 'JSON body has the key %s more than once in one object', 400)
export const NulCharacterError = createError<[where: string]>('INPUT_NUL_CHARACTER', 'the NUL character (U+0000) is not accepted in %s', 400)

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * A JSON request body read strictly: invalid UTF-8 is refused (not turned into U+FFFD), so is a key
 * twice in one object at any depth (parsers disagree on which one wins: the same bytes could mean one
 * thing to the gateway and another to a service) and the NUL character in any string (PostgreSQL
 * refuses 0x00 in text, which would be a 500 later). secure-json-parse keeps Fastify's protection
 * against `__proto__` and `constructor.prototype` keys.
 * @see https://www.rfc-editor.org/rfc/rfc8259#section-4 (names "SHOULD be unique")
 * @see https://bishopfox.com/blog/json-interoperability-vulnerabilities
 */
export function parseStrictJson (body: Buffer): unknown {
  if (body.length === 0) throw new EmptyJsonBodyError()
  let text: string
  try {
    text = utf8.decode(body)
  } catch {
    throw new InvalidUtf8Error()
  }
  let value: unknown
  try {
    value = sjson.parse(text, null, { protoAction: 'error', constructorAction: 'error' })
  } catch {
    throw new InvalidJsonBodyError()
  }
  checkKeysAndStrings(text)
  return value
}

const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * Walks JSON text that already parsed, so its structure is known to be sound: every string is decoded
 * (a NUL may be written `\u0000`), and each one followed by `:` inside an object is a key, checked
 * against the keys of that object so far (decoded, so `"a"` and `"\u0061"` are the same key).
 */
function checkKeysAndStrings (text: string): void {
  const open: Array<Set<string> | null> = []
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (char === '{') open.push(new Set())
    else if (char === '[') open.push(null)
    else if (char === '}' || char === ']') open.pop()
    else if (char === '"') {
      const end = stringEnd(text, i)
      const raw = text.slice(i, end + 1)
      const value = raw.includes('\\') ? JSON.parse(raw) as string : raw.slice(1, -1)
      if (value.includes('\u0000')) throw new NulCharacterError('the JSON body')
      const keys = open.at(-1)
      if (keys != null && nextSignificant(text, end + 1) === ':') {
        if (keys.has(value)) throw new DuplicateJsonKeyError(JSON.stringify(value))
        keys.add(value)
      }
      i = end
    }
  }
}

/** Index of the quote closing the string that opens at `start`. */
function stringEnd (text: string, start: number): number {
  let i = start + 1
  while (text.charCodeAt(i) !== QUOTE) i += text.charCodeAt(i) === BACKSLASH ? 2 : 1
  return i
}

function nextSignificant (text: string, from: number): string | undefined {
  let i = from
  while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++
  return text[i]
}
