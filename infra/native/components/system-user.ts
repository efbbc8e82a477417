import { readFileSync } from 'node:fs'

export interface SystemUser { uid: number, gid: number }

/** uid and gid of a local account, from /etc/passwd (Node has no getpwnam). */
export function systemUser (name: string): SystemUser {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`))
  const fields = line?.split(':')
  if (fields === undefined) throw new Error(`there is no '${name}' user on this machine (is the postgresql package installed?)`)
  return { uid: Number(fields[2]), gid: Number(fields[3]) }
}

/**
 * The account Postgres runs as: the `postgres` user when we are root (the server refuses to run as
 * root), else ourselves.
 */
export function postgresAccount (): SystemUser | undefined {
  return process.getuid?.() === 0 ? systemUser('postgres') : undefined
}
