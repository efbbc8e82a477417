/** What a stand-in's stage step gets: where to put its build inputs, and the shared cache. */
export interface StageContext {
  /** The build context: a copy of the stand-in's folder; add files here. */
  context: string
  /** Machine-wide cache for inputs that are slow to get (jars, Go builds, npm packages). */
  cache: string
  log: (line: string) => void
}

/**
 * An image that no registry serves on our machines, built here under the official name and tag from
 * what our registries do serve. It honours the contract the lab relies on, as its publisher documents
 * it (environment, entrypoint, user, ports, paths, the binaries healthchecks call); docs/docker.md lists
 * what each honours and where the version differs.
 */
export interface StandIn {
  /** The official name:tag, exactly as docker-compose.yml or the test kit names it. */
  image: string
  /** Folder under infra/docker/standins/ with its Dockerfile and scripts. */
  dir: string
  /** What is inside instead of the official build, for docs and `./lab docker images`. */
  builtFrom: string
  /** Images it is built FROM that are stand-ins too (built first). */
  from: string[]
  /** Puts inputs that are not committed into the context (binaries, jars, the CA bundle). */
  stage?: (ctx: StageContext) => Promise<void>
  /** Build arguments (the Dockerfile's ARGs); part of the image's content hash. */
  buildArgs?: Record<string, string>
  /**
   * Folded into the image's content hash: the versions that stage fetches, so a change rebuilds it. */
  inputs?: string[]
}
