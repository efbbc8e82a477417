/**
 * kafkajs 2.2.4 (the health probe's client) arms a negative timer on every response; Node 24 warns
 * about it once per process. Harmless, Node clamps it to 1 ms; unfixed upstream. Only the CLI hides it.
 * @see https://github.com/tulios/kafkajs/issues/1751
 */
export function hideNegativeTimeoutWarning (): void {
  const printers = process.listeners('warning')
  process.removeAllListeners('warning')
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return
    for (const print of printers) print(warning)
  })
}
