import { keysetCursor } from '@lab/platform'

/** The catalog's page cursors: the id of the last product of a page (keyset pagination, see keysetCursor). */
export const { encode: encodeCursor, decode: decodeCursor } = keysetCursor('p1')
