import type { Component } from '../components/component.js'
import { allComponents } from '../components/registry.js'
import { labPaths, type LabPaths } from '../paths.js'
import { createReporter, type Reporter } from '../progress.js'

/** What every command works with: where the state is, the lab's components, and the terminal. */
export interface CommandContext {
  paths: LabPaths
  components: Component[]
  reporter: Reporter
}

export function createContext (): CommandContext {
  const paths = labPaths()
  return { paths, components: allComponents(paths), reporter: createReporter() }
}
