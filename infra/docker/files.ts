import { Document, isScalar, isSeq, Scalar, visit } from 'yaml'
import { DATABASES, DB_USER } from '../topology.js'
import { prometheusConfig } from '../config/prometheus.js'
import { alertmanagerConfig } from '../config/alertmanager.js'
import { toxiproxyConfig } from '../config/toxiproxy.js'
import { composeFile } from './compose.js'
import { composeOwnEngineOverride, composeTestOverride } from './compose-test.js'
import { grafanaDashboardProviders, grafanaDatasources } from './grafana.js'
import { GENERATED_HEADER, GENERATED_PATHS } from './paths.js'

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string
  content: string
}

/**
 * YAML 1.1 output: docker-compose 1.29 (PyYAML) and Prometheus read YAML 1.1, where an unquoted
 * `no`, `on` or `22:22` is not a string; in 1.1 mode the serializer quotes those. No line folding.
 * Healthcheck commands go on one line, every item double-quoted (PyYAML rejects some plain scalars in
 * flow sequences, e.g. one containing `?`).
 */
function yaml (value: unknown, comment: string[] = [], generatedBy = GENERATED_HEADER): string {
  const header = [generatedBy, ...comment].map((line) => `# ${line}`.trimEnd()).join('\n')
  const doc = new Document(value, { version: '1.1' })
  visit(doc, {
    Pair (_key, pair) {
      if (!isScalar(pair.key) || pair.key.value !== 'test' || !isSeq(pair.value)) return
      pair.value.flow = true
      for (const item of pair.value.items) if (isScalar(item)) item.type = Scalar.QUOTE_DOUBLE
    }
  })
  return `${header}\n${doc.toString({ lineWidth: 0 })}`
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`

/** One database per data-owning service, created by the postgres image's entrypoint on first start. */
function postgresInitSql (): string {
  const lines = [
    `-- ${GENERATED_HEADER}`,
    '-- Run once by the postgres image (docker-entrypoint-initdb.d), on an empty data volume, as the lab user.',
    ...DATABASES.map((db) => `CREATE DATABASE ${quoteIdent(db)} OWNER ${quoteIdent(DB_USER)};`)
  ]
  return `${lines.join('\n')}\n`
}

/** The marker of docker-compose.override.yml written by the lab: only a file carrying it is rewritten or removed. */
export const OWN_ENGINE_OVERRIDE_MARKER = 'Written by ./lab docker prepare for the lab\'s own Docker engine'

/** docker-compose.override.yml for the lab's own engine (not committed: infra/docker/own-engine-override.ts). */
export function ownEngineOverrideFile (): string {
  return yaml(composeOwnEngineOverride(), [
    'Compose reads this file by itself, so a plain `docker compose up --build -d` builds the lab\'s images on',
    'the host network and leaves Grafana and k6 out (AGPL: never run on our machines). Not committed; removed',
    'by ./lab docker prepare when it finds a Docker of yours instead. Derived from infra/topology.ts.'
  ], `${OWN_ENGINE_OVERRIDE_MARKER} (no default bridge, no registry).`)
}

/** Every file `pnpm generate` writes, derived from infra/topology.ts. */
export function generatedFiles (): GeneratedFile[] {
  return [
    {
      path: GENERATED_PATHS.compose,
      content: yaml(composeFile(), [
        '',
        'The whole lab: `docker compose up -d --build`; gateway http://localhost:8080, Grafana http://localhost:3000,',
        'Prometheus http://localhost:9090, Alertmanager http://localhost:9093, Toxiproxy API http://localhost:8474',
        '(published on the loopback only).'
      ])
    },
    {
      path: GENERATED_PATHS.composeTest,
      content: yaml(composeTestOverride(), [
        '',
        'Docker-mode tests only, on top of docker-compose.yml (./lab test --docker):',
        '  docker compose -f docker-compose.yml -f docker-compose.test.yml up --build -d --wait',
        'publishes the databases, brokers and services on 127.0.0.1 at their native ports for the tests to',
        'inspect, builds on the host network, and leaves Grafana and k6 out (AGPL: never run on our machines).'
      ])
    },
    { path: GENERATED_PATHS.prometheus, content: yaml(prometheusConfig('docker')) },
    { path: GENERATED_PATHS.alertmanager, content: yaml(alertmanagerConfig('docker')) },
    // JSON has no comments: Toxiproxy reads a bare array of proxies. The drift test guards it instead.
    { path: GENERATED_PATHS.toxiproxy, content: `${JSON.stringify(toxiproxyConfig('docker'), null, 2)}\n` },
    { path: GENERATED_PATHS.postgresInit, content: postgresInitSql() },
    { path: GENERATED_PATHS.grafanaDatasource, content: yaml(grafanaDatasources()) },
    { path: GENERATED_PATHS.grafanaDashboardProvider, content: yaml(grafanaDashboardProviders()) }
  ]
}
