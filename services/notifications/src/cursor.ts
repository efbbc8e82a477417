import { keysetCursor } from '@lab/platform'

/** Page cursors of GET /notifications: the `seq` of a page's last notification (keyset pagination, see keysetCursor). */
export const { encode: encodeCursor, decode: decodeCursor } = keysetCursor('n1')
