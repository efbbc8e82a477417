import { join } from 'node:path'

/**
 * The one place Docker mode reads the environment. Where the lab keeps its own engine and what it builds
 * for it: a machine-wide folder (not the repository's .lab/), so a fresh clone on a machine that ran the
 * lab before (CI) finds the engine's images and the stand-ins' build inputs already there.
 */
export function dockerHome (): string {
  const home = process.env.LAB_DOCKER_HOME
  return home === undefined || home === '' ? '/var/lib/lab-docker' : home
}

export interface EnginePaths {
  home: string
  dataRoot: string
  /** Runtime state (containerd's socket lives here: kept short, unix sockets allow 107 bytes). */
  execRoot: string
  pidFile: string
  log: string
  /** Inputs of the stand-in images: the Debian root file system, jars, Go builds, build contexts. */
  cache: string
}

export function enginePaths (home = dockerHome()): EnginePaths {
  return {
    home,
    dataRoot: join(home, 'data'),
    execRoot: '/run/lab-docker',
    pidFile: '/run/lab-docker.pid',
    log: join(home, 'dockerd.log'),
    cache: join(home, 'cache')
  }
}

/** The socket the lab's own engine listens on: the default one, so `docker` and testcontainers find it as they are. */
export const DEFAULT_SOCKET = '/var/run/docker.sock'

/** DOCKER_HOST as set by the user, or undefined for the client's default. */
export function dockerHostEnv (): string | undefined {
  const host = process.env.DOCKER_HOST
  return host === undefined || host === '' ? undefined : host
}
