import { LAB_ADMIN_TOKEN, services } from '../../topology.js'

/** The gateway's admin API on this machine, with the lab's credential (LAB_ADMIN_URL and LAB_ADMIN_TOKEN override). */
export interface AdminClient {
  call: (method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown) => Promise<unknown>
}

export class LabNotRunningError extends Error {
  override name = 'LabNotRunningError'
}

export class AdminRefusedError extends Error {
  override name = 'AdminRefusedError'
}

export function createAdminClient (env: Record<string, string | undefined> = process.env): AdminClient {
  const gateway = services.find((s) => s.name === 'gateway')
  const base = env.LAB_ADMIN_URL ?? `http://127.0.0.1:${gateway?.port ?? 8080}`
  const token = env.LAB_ADMIN_TOKEN ?? LAB_ADMIN_TOKEN
  return {
    call: async (method, path, body) => {
      let res: Response
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(10_000)
        })
      } catch (err) {
        const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message
        throw new LabNotRunningError(`the gateway does not answer at ${base} (${reason}): is the lab running? Start it with ./lab up -d`)
      }
      const answer = await res.json().catch(() => null) as { message?: string, code?: string } | null
      if (res.status === 404 && answer?.code === 'ROUTE_NOT_FOUND') {
        throw new LabNotRunningError(`the gateway at ${base} has no admin API: it was started without ADMIN_TOKEN, or before it existed (restart it: kill -- -$(cat .lab/run/gateway.pid); ./lab up -d)`)
      }
      if (!res.ok) throw new AdminRefusedError(`${method} ${path}: ${res.status} ${answer?.code ?? ''} ${answer?.message ?? ''}`.trim())
      return answer
    }
  }
}
