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
  const libs = labPaths().kafkaLibs
  if (!existsSync(join(libs, '.complete'))) throw new Error(`${libs} is incomplete: run infra/native/install-system.sh`)
  const dir = mkdtempSync(join(tmpdir(), 'lab-private-kafka-'))
  const [port, controllerPort] = [await closedPort(), await closedPort()]
  const props = join(dir, 'server.properties')
  const log4j2 = join(dir, 'log4j2.properties')
  const logFile = join(dir, 'kafka.log')
  writeFileSync(props, kafkaServerProperties({ port, controllerPort, logDir: join(dir, 'data') }))
  writeFileSync(log4j2, kafkaLog4j2Properties())
  const java = (mainClass: string, args: string[]): ChildProcess => {
    const fd = openSync(logFile, 'a')
    try {
      return spawn('java', [...JVM_FLAGS, `-Dlog4j2.configurationFile=${log4j2}`, '-cp', join(libs, '*'), mainClass, ...args], { stdio: ['ignore', fd, fd] })
    } finally {
      closeSync(fd)
    }
  }
  // Formatting writes meta.properties and the bootstrap metadata: once, start() later reuses the data.
  // @see https://kafka.apache.org/documentation/#kraft_storage
  const format = java('kafka.tools.StorageTool', ['format', '-t', newClusterId(), '-c', props])
  const formatted = await exited(format)
  if (formatted !== 0) throw new Error(`formatting the private Kafka failed (${String(formatted)}); see ${logFile}`)

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

  await start()
  return {
    brokers: [`127.0.0.1:${port}`],
    dataDir: dir,
    start,
    stop,
    remove: async () => {
      await stop()
      process.off('exit', killOnExit)
      rmSync(dir, { recursive: true, force: true })
    }
  }
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
