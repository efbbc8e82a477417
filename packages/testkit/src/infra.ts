import { inject } from 'vitest'

/** Where the tests' real dependencies are; decided once per run by the global setup. */
export interface TestInfra {
  mode: 'docker' | 'native'
  postgres: { host: string, port: number, user: string, password: string }
  redisUrl: string
  kafkaBrokers: string[]
  toxiproxy: {
    apiUrl: string
    /** Host on which the proxies Toxiproxy opens are reachable from the tests. */
    listenHost: string
    /** Each dependency's address as Toxiproxy itself sees it (an upstream for a new proxy). */
    upstreams: Record<'postgres' | 'redis' | 'kafka', string>
    /** Docker only: container port → host port of the ports published for proxies. */
    portMap?: Record<string, number>
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    labInfra: TestInfra
  }
}

export function testInfra (): TestInfra {
  return inject('labInfra')
}
