import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import type { ComposeFile } from '../docker/compose-spec.js'
import { GENERATED_PATHS } from '../docker/paths.js'

/** The repository root: the Compose project directory. */
export const ROOT = resolve(import.meta.dirname, '../..')

export const readRepoFile = (path: string): string => readFileSync(join(ROOT, path), 'utf8')

/** Parsed as YAML 1.1, the way docker-compose 1.29 (PyYAML) and Prometheus read these files. */
export const readYaml = <T>(path: string): T => parse(readRepoFile(path), { version: '1.1' }) as T

export const committedCompose = (): ComposeFile => readYaml<ComposeFile>(GENERATED_PATHS.compose)

/**
 * Runs a tool that `./lab` installs (infra/native/install-system.sh). A missing tool fails the test
 * rather than skipping it: these checks are the only ones the Docker files get on a machine without Docker.
 */
export function runInstalledTool (command: string, args: string[]): { status: number | null, output: string } {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' })
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`${command} is not installed: run ./lab test (infra/native/install-system.sh installs it)`)
  }
  if (result.error !== undefined) throw result.error
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}
