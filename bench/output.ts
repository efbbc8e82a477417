/**
 * The bench's terminal output: plain lines on stdout, and on a terminal one progress line rewritten
 * in place while a run lasts (elsewhere, such as a file, a single line announces the run instead).
 */
export interface Output {
  line: (text?: string) => void
  /** Rewrites the progress line (a terminal only). */
  progress: (text: string) => void
  isTerminal: boolean
}

export function createOutput (stream: NodeJS.WriteStream = process.stdout): Output {
  const isTerminal = stream.isTTY === true
  let progressShown = false
  const clearProgress = () => {
    if (progressShown) stream.write('\r\x1b[2K')
    progressShown = false
  }
  return {
    isTerminal,
    line: (text = '') => {
      clearProgress()
      stream.write(`${text}\n`)
    },
    progress: (text) => {
      if (!isTerminal) return
      stream.write(`\r\x1b[2K${text}`)
      progressShown = true
    }
  }
}
