// @ts-check
/** k6 run of load-tests/scenarios/checkout.json (see scenario-script.js for the environment it reads). */
import { scenarioScript } from './scenario-script.js'

const script = scenarioScript('checkout')
export const options = script.options
export const setup = script.setup
export default script.iteration
