import { address, type Mode } from '../topology.js'

/** The notifications service's route that turns Alertmanager's webhook into notifications on the feed. */
export const ALERT_WEBHOOK_PATH = '/alerts'

/**
 * Alertmanager configuration for a mode: every alert goes to the lab's notifications service, which
 * records it (firing and resolved) as a notification, so it shows in the live feed (GET /feed).
 * Short waits, because a lab user who breaks something wants to see the alert within seconds.
 * @see https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 */
export function alertmanagerConfig (mode: Mode): Record<string, unknown> {
  return {
    route: {
      receiver: 'lab-feed',
      group_by: ['alertname'],
      // First notification of a new group after 5 s, changes to it every 30 s, a reminder every 4 h.
      group_wait: '5s',
      group_interval: '30s',
      repeat_interval: '4h'
    },
    receivers: [{
      name: 'lab-feed',
      webhook_configs: [{ url: `http://${address('notifications', mode)}${ALERT_WEBHOOK_PATH}`, send_resolved: true }]
    }]
  }
}

/**
 * Alertmanager's flags. One instance: the cluster (gossip on :9094) is switched off.
 * @see https://github.com/prometheus/alertmanager#high-availability
 */
export function alertmanagerArgs (paths: { configFile: string, storage: string }, listen: string): string[] {
  return [`--config.file=${paths.configFile}`, `--storage.path=${paths.storage}`, `--web.listen-address=${listen}`, '--cluster.listen-address=']
}
