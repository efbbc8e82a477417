/**
 * A progress line while a run lasts: rewritten in place on a terminal (about once a second), or, when
 * the output is a file or a pipe, printed as a line of its own every `everySeconds`.
 */
export function createProgress (stream: NodeJS.WriteStream = process.stdout, everySeconds = 5): { update: (line: string) => void, done: () => void } {
  const isTerminal = stream.isTTY === true
  let shown = false
  let lastPrinted = 0
  return {
    update: (line) => {
      if (isTerminal) {
        stream.write(`\r\x1b[2K${line}`)
        shown = true
        return
      }
      const now = performance.now()
      if (now - lastPrinted < everySeconds * 1000 - 100) return
      lastPrinted = now
      stream.write(`${line}\n`)
    },
    done: () => {
      if (shown) stream.write('\r\x1b[2K')
      shown = false
    }
  }
}
