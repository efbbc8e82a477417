import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { kafkaLog4j2Properties, kafkaServerProperties, labPaths, newClusterId } from '@lab/infra/native'
import { kafkaReady } from './kafka-ready.js'
import { closedPort } from './listen.js'
import type { PrivateKafka } from './private-kafka.js'

/** A small heap (the lab's broker has 512 MB); G1 as Kafka's own start script uses. */
const JVM_FLAGS = ['-Xms128m', '-Xmx256m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true']
const READY_TIMEOUT_MS = 60_000
const STOP_GRACE_MS = 10_000

/**
 * Native mode: the native runner's single-node KRaft broker (same jars, server.properties and log4j2
 * settings as infra/native/components/kafka.ts), in a temp dir on two free ports, run as a child process.
 * Its log is <dir>/kafka.log.
 */
export async function startNativeKafka (): Promise<PrivateKafka> {
  const broker = await writeBrokerFiles()
  const java = javaRunner(broker)
  await formatStorage(java, broker)
  const lifecycle = brokerLifecycle(java, broker)
  await lifecycle.start()
  return {
    brokers: [`127.0.0.1:${broker.port}`],
    dataDir: broker.dir,
    start: lifecycle.start,
    stop: lifecycle.stop,
    remove: async () => {
      await lifecycle.stop()
      lifecycle.forget()
      rmSync(broker.dir, { recursive: true, force: true })
    }
  }
}

/** Where one private broker lives: its temp dir, its configuration files and log, its two ports. */
interface BrokerFiles {
  libs: string
  dir: string
  port: number
  controllerPort: number
  props: string
  log4j2: string
  logFile: string
}

/** A temp dir with the broker's server.properties and log4j2 settings, on two free ports. */
async function writeBrokerFiles (): Promise<BrokerFiles> {
  const libs = labPaths().kafkaLibs
  if (!existsSync(join(libs, '.complete'))) throw new Error(`${libs} is incomplete: run infra/native/install-system.sh`)
  const dir = mkdtempSync(join(tmpdir(), 'lab-private-kafka-'))
  const [port, controllerPort] = [await closedPort(), await closedPort()]
  const broker = { libs, dir, port, controllerPort, props: join(dir, 'server.properties'), log4j2: join(dir, 'log4j2.properties'), logFile: join(dir, 'kafka.log') }
  writeFileSync(broker.props, kafkaServerProperties({ port, controllerPort, logDir: join(dir, 'data') }))
  writeFileSync(broker.log4j2, kafkaLog4j2Properties())
  return broker
}

type JavaRunner = (mainClass: string, args: string[]) => ChildProcess

/** Runs a class of the Kafka jars, its output appended to the broker's log. */
function javaRunner ({ libs, log4j2, logFile }: BrokerFiles): JavaRunner {
  return (mainClass, args) => {
    const fd = openSync(logFile, 'a')
    try {
      return spawn('java', [...JVM_FLAGS, `-Dlog4j2.configurationFile=${log4j2}`, '-cp', join(libs, '*'), mainClass, ...args], { stdio: ['ignore', fd, fd] })
    } finally {
      closeSync(fd)
    }
  }
}

/**
 * Formatting writes meta.properties and the bootstrap metadata: once, start() later reuses the data.
 * @see https://kafka.apache.org/documentation/#kraft_storage
 */
async function formatStorage (java: JavaRunner, { props, logFile }: BrokerFiles): Promise<void> {
  const formatted = await exited(java('kafka.tools.StorageTool', ['format', '-t', newClusterId(), '-c', props]))
  if (formatted !== 0) throw new Error(`formatting the private Kafka failed (${String(formatted)}); see ${logFile}`)
}

/**
 * The broker process: start() runs it until it is ready (stopping it again if it dies or never gets
 * ready), stop() shuts it down cleanly (killed after a grace period), forget() drops the exit hook
 * that otherwise kills a broker still running when the test process ends.
 */
function brokerLifecycle (java: JavaRunner, { props, port, logFile }: BrokerFiles) {
  let child: ChildProcess | undefined
  // Never leave a broker behind if the test process ends without remove().
  const killOnExit = (): void => { child?.kill('SIGKILL') }
  process.on('exit', killOnExit)

  const start = async (): Promise<void> => {
    if (child !== undefined) return
    const proc = java('kafka.Kafka', [props])
    child = proc
    const died = exited(proc).then((code) => { throw new Error(`the private Kafka exited (${String(code)}) while starting; see ${logFile}`) })
    try {
      await Promise.race([waitUntilReady(port), died])
    } catch (err) {
      await stop()
      throw err
    } finally {
      died.catch(() => {})
    }
  }
  const stop = async (): Promise<void> => {
    const proc = child
    if (proc === undefined) return
    const done = exited(proc)
    // SIGTERM: Kafka's controlled shutdown (flushes, writes its clean-shutdown marker).
    proc.kill('SIGTERM')
    const timer = setTimeout(() => { proc.kill('SIGKILL') }, STOP_GRACE_MS)
    await done
    clearTimeout(timer)
    child = undefined
  }
  return { start, stop, forget: () => { process.off('exit', killOnExit) } }
}

/** The exit code (or signal) of a process, once it ended; at once when it already has. */
async function exited (proc: ChildProcess): Promise<number | string> {
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode ?? proc.signalCode ?? 'unknown'
  return await new Promise((resolve) => {
    proc.once('exit', (code, signal) => { resolve(code ?? signal ?? 'unknown') })
    proc.once('error', (err) => { resolve(err.message) })
  })
}

/**
 * Ready = a kafkajs admin lists topics (the broker serves requests) and finds a group coordinator (so
 * that the first consumer group does not wait for the offsets topic).
 */
async function waitUntilReady (port: number): Promise<void> {
  await kafkaReady([`127.0.0.1:${port}`], READY_TIMEOUT_MS)
}
