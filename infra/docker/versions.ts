import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The Node release the native lab runs (infra/native/bootstrap.sh): the images use the same. */
export const NODE_VERSION = /^NODE_VERSION=(\S+)$/m.exec(readFileSync(fileURLToPath(new URL('../native/bootstrap.sh', import.meta.url)), 'utf8'))?.[1] ?? 'unknown'
