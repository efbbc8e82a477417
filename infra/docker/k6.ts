import { address } from '../topology.js'
import { dependsOn, type ComposeService } from './compose-spec.js'

/** Compose profile of the load runner: `docker compose up` leaves it out. */
export const LOAD_PROFILE = 'load'
/** k6 is AGPL: the image is pulled by Docker users only; our machines never install or run it. */
export const K6_IMAGE = 'grafana/k6:1.0.0'
/** Where the k6 scripts, their shared modules and the scenario data are mounted (k6 reads them there). */
export const K6_MOUNT = '/load-tests'

/**
 * The k6 load runner, a one-shot job under the `load` profile (no healthcheck, never restarted):
 *   docker compose --profile load run --rm k6 run /load-tests/k6/<scenario>.js
 * It reads the same load-tests/scenarios/*.json as `./lab load`, and the rest from its environment
 * (load-tests/k6/scenario-script.js): the gateway, inventory for the flash sale's stock, the data dir.
 */
export function k6Container (): ComposeService {
  return {
    image: K6_IMAGE,
    environment: {
      BASE_URL: `http://${address('gateway', 'docker')}`,
      INVENTORY_URL: `http://${address('inventory', 'docker')}`,
      SCENARIOS_DIR: `${K6_MOUNT}/scenarios`
    },
    volumes: ['k6', 'lib', 'scenarios'].map((dir) => `./load-tests/${dir}:${K6_MOUNT}/${dir}:ro`),
    depends_on: dependsOn(['gateway']),
    mem_limit: '256m',
    restart: 'no',
    profiles: [LOAD_PROFILE]
  }
}
