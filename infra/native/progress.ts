import { styleText } from 'node:util'
import { labStartedAt } from './config.js'

export interface Reporter {
  /** One step, prefixed with the time since ./lab started. */
  line: (text: string) => void
  error: (text: string) => void
  /** Plain output (tables, summaries), coloured only where the stream is a terminal. */
  print: (text: string) => void
  style: (format: Parameters<typeof styleText>[0], text: string) => string
  elapsedMs: () => number
}

/** Progress on stdout; colours only on a TTY (styleText checks the stream, NO_COLOR and FORCE_COLOR). */
export function createReporter (stream: NodeJS.WriteStream = process.stdout): Reporter {
  const started = labStartedAt() ?? Date.now()
  const style = (format: Parameters<typeof styleText>[0], text: string) => styleText(format, text, { stream })
  const elapsedMs = () => Date.now() - started
  const stamp = () => `${style('blue', '[lab]')} ${style('dim', `${(elapsedMs() / 1000).toFixed(1).padStart(5)}s`)}`
  return {
    line: (text) => { stream.write(`${stamp()} ${text}\n`) },
    error: (text) => { stream.write(`${stamp()} ${style('red', text)}\n`) },
    print: (text) => { stream.write(`${text}\n`) },
    style,
    elapsedMs
  }
}
