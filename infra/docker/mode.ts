/**
 * Which lab the tests, experiments and ./lab chaos act on: the native processes (default) or the
 * Compose stack. Always chosen explicitly (LAB_MODE=docker, set by `./lab test --docker` and
 * `./lab chaos --docker`), never because an engine happens to answer.
 */
export type LabMode = 'native' | 'docker'

export function labMode (): LabMode {
  const mode = process.env.LAB_MODE
  if (mode === undefined || mode === '' || mode === 'native') return 'native'
  if (mode === 'docker') return 'docker'
  throw new Error(`LAB_MODE=${mode}: expected native or docker`)
}
