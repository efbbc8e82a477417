/**
 * @lab/load-tests as a library: the scenarios (data, checked), the driver that runs one and judges its
 * thresholds, and the report. Experiments run a scenario with runScenario() and read its LoadReport.
 */
export { validateScenario, withOverrides, FLOWS, type Scenario, type Threshold } from '../lib/scenario.js'
export { createZipfSampler, seededRandom } from '../lib/zipf.js'
export { loadScenario, scenarioNames, SCENARIOS_DIR } from './scenarios.js'
export { runScenario, achievedRate, type LoadReport, type RunOptions, type Progress } from './driver.js'
export { evaluateThresholds, type Verdict, type RunFigures } from './thresholds.js'
export { formatReport, formatProgress } from './report.js'
export { paced } from './pacing.js'
// Open-model pacing of any request (experiments drive inventory's own API with it: the flash sale's strategies).
export { runPacedLoad, type PacedLoadSpec, type PacedLoadResult } from './paced-load.js'
