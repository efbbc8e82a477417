import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { labHome, repoRoot } from './config.js'

/**
 * Where the native lab keeps its state, all under one git-ignored folder (LAB_HOME, default .lab):
 * data/<component>, logs/<name>.log, run/<name>.pid, config/ (generated files) and tools/ (installed
 * by install-system.sh).
 */
export interface LabPaths {
  home: string
  dataRoot: string
  logsDir: string
  runDir: string
  configDir: string
  data: (component: string) => string
  log: (name: string) => string
  pid: (name: string) => string
  config: (file: string) => string
  kafkaLibs: string
  toxiproxyServer: string
}

export function labPaths (home: string = labHome()): LabPaths {
  const dataRoot = join(home, 'data')
  const logsDir = join(home, 'logs')
  const runDir = join(home, 'run')
  const configDir = join(home, 'config')
  return {
    home,
    dataRoot,
    logsDir,
    runDir,
    configDir,
    data: (component) => join(dataRoot, component),
    log: (name) => join(logsDir, `${name}.log`),
    pid: (name) => join(runDir, `${name}.pid`),
    config: (file) => join(configDir, file),
    kafkaLibs: join(home, 'tools', `kafka-${kafkaVersion()}`, 'libs'),
    toxiproxyServer: join(home, 'tools', 'bin', 'toxiproxy-server')
  }
}

/** The Kafka version install-system.sh resolved: the one pinned in infra/native/kafka/pom.xml. */
function kafkaVersion (): string {
  const pom = readFileSync(join(repoRoot, 'infra/native/kafka/pom.xml'), 'utf8')
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1]
  if (version === undefined) throw new Error('infra/native/kafka/pom.xml has no <kafka.version>')
  return version
}

/** A path as the user should read it: relative to the repository when inside it. */
export function shortPath (path: string): string {
  const rel = relative(process.cwd(), path)
  return rel.startsWith('..') || rel === '' ? path : rel
}
