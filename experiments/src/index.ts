/** @lab/experiments as a library: the experiments and the runner, for `./lab experiment` and the tests. */
export { EXPERIMENTS, findExperiment } from './registry.js'
export { runExperiment, withExperimentLock, type RunnerOptions, type RunnerResult } from './runner.js'
export type { Experiment, ExperimentOutcome, Verdict } from './types.js'
