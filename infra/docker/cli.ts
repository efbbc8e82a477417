/**
 * `./lab docker <command>` and `./lab test --docker`: Docker mode's command line. ./lab puts Node 24
 * and pnpm on PATH first (infra/native/bootstrap.sh).
 */
import { parseArgs } from 'node:util'
import { createReporter } from '../native/progress.js'
import { hideNegativeTimeoutWarning } from '../native/quiet-warnings.js'
import { summaryLine } from '../native/test-summary.js'
import { stopEngine } from './engine/engine.js'
import { prepareDocker } from './prepare.js'
import { STAND_INS } from './standins/registry.js'
import { assertPortsFree, containerMemory, projectName } from './commands/stack.js'
import { downTestStack, testDocker, upTestStack } from './commands/test.js'
import { benchDocker } from './commands/bench.js'

export const DOCKER_HELP = `Usage: ./lab docker <command>

Docker mode. On a machine whose Docker reaches a registry, \`docker compose up --build\` is all you need;
on one where none answers (ours), prepare builds every image the lab names first.

Commands:
  prepare [image...]  an engine (yours when one answers; else Debian's docker.io, installed and started as
                      the lab's own, as root), the Compose plugin, and every image the lab names: pulled
                      where a registry answers, else built here as a stand-in (docs/docker.md)
  up                  prepare, then the stack with the test override (docker-compose.test.yml: ports on
                      127.0.0.1 for the tests, Grafana and k6 left out) up and healthy; prints memory
  down                the test stack down, volumes too
  bench               figures from a clean state: images absent → healthy, images present → healthy,
                      image sizes, memory idle and under the checkout scenario, down -v leaves nothing
  stop                stop the lab's own engine (never one of yours); images stay for next time
  images              the stand-ins: official name, what is inside instead
  help                this text

Tests: ./lab test --docker [--keep] [vitest args] runs prepare, up, the Docker-mode tests and down.
Faults: ./lab chaos --docker <fault> acts on the containers (docker compose stop|kill|start).`

async function main (argv: string[]): Promise<number> {
  const reporter = createReporter()
  const [command = 'help', ...rest] = argv
  switch (command) {
    case 'prepare': {
      const result = await prepareDocker(reporter.line, rest.length > 0 ? rest : undefined)
      for (const image of result.images) reporter.line(`  ${image.image.padEnd(56)} ${image.outcome}${image.outcome === 'present' ? '' : ` in ${image.seconds} s`}`)
      // On the lab's own engine docker-compose.override.yml (written by prepare) leaves Grafana out.
      const next = result.engine.owned ? 'docker compose up --build -d (Grafana and k6 left out here), or ./lab docker up for the tests\' stack' : 'docker compose up --build -d'
      reporter.line(`ready in ${result.seconds.toFixed(1)} s: Docker engine ${result.engine.version}${result.engine.owned ? ' (the lab\'s own)' : ''}, Compose ${result.compose}. Next: ${next}`)
      return 0
    }
    case 'up': {
      await prepareDocker(reporter.line)
      await assertPortsFree()
      const seconds = await upTestStack(reporter)
      reporter.line(`every container healthy ${seconds.toFixed(1)} s after docker compose up; gateway http://127.0.0.1:8080, Prometheus http://127.0.0.1:9090`)
      for (const m of await containerMemory(await projectName())) reporter.line(`  ${m.name.padEnd(18)} ${m.mib.toFixed(0).padStart(5)} MiB of ${m.limitMib.toFixed(0)}`)
      return 0
    }
    case 'down':
      await downTestStack(reporter)
      return 0
    case 'bench':
      return await benchDocker(reporter)
    case 'stop':
      await stopEngine(reporter.line)
      return 0
    case 'images':
      for (const s of STAND_INS) reporter.print(`${s.image.padEnd(56)} ${s.builtFrom}`)
      return 0
    case 'test': {
      const { values, tokens } = parseArgs({ args: rest, options: { keep: { type: 'boolean', default: false }, docker: { type: 'boolean', default: false } }, strict: false, tokens: true })
      const vitestArgs = rest.filter((_, i) => !tokens.some((t) => t.kind === 'option' && (t.name === 'keep' || t.name === 'docker') && t.index === i))
      const summary = await testDocker({ keep: values.keep === true, vitestArgs }, reporter)
      reporter.print(summaryLine(summary))
      return summary.failed === 0 ? 0 : 1
    }
    case 'help': case '--help': case '-h':
      reporter.print(DOCKER_HELP)
      return 0
    default:
      process.stderr.write(`lab docker: unknown command '${command}'\n\n${DOCKER_HELP}\n`)
      return 2
  }
}

hideNegativeTimeoutWarning()
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code },
  (err: unknown) => {
    process.stderr.write(`lab docker: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  }
)
