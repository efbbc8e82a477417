import http from 'node:http'

export interface SseEvent {
  event: string
  id: string | undefined
  data: string
}

export interface FeedClient {
  statusCode: number
  headers: http.IncomingHttpHeaders
  events: SseEvent[]
  comments: string[]
  /** Waits until `count` events arrived; returns them all. */
  waitForEvents: (count: number, timeoutMs?: number) => Promise<SseEvent[]>
  waitForComment: (text: string, timeoutMs?: number) => Promise<void>
  close: () => void
}

/**
 * A minimal EventSource over node:http for the tests: it records events and comment lines as they
 * arrive (parsing the text/event-stream format) and lets the test close the connection.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export async function openFeed (url: string, headers: Record<string, string> = {}): Promise<FeedClient> {
  return await new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = []
      const comments: string[] = []
      let buffer = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buffer += chunk
        let end: number
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event: SseEvent = { event: 'message', id: undefined, data: '' }
          let hasData = false
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) { comments.push(line.slice(1).trim()); continue }
            const [field, ...rest] = line.split(':')
            const value = rest.join(':').replace(/^ /, '')
            if (field === 'event') event.event = value
            if (field === 'id') event.id = value
            if (field === 'data') { event.data = hasData ? `${event.data}\n${value}` : value; hasData = true }
          }
          if (hasData) events.push(event)
        }
      })
      const until = async (ready: () => boolean, timeoutMs: number, what: string) => {
        const deadline = Date.now() + timeoutMs
        while (!ready()) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      }
      resolve({
        statusCode: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments,
        waitForEvents: async (count, timeoutMs = 20_000) => {
          await until(() => events.length >= count, timeoutMs, `${count} events (got ${events.length})`)
          return [...events]
        },
        waitForComment: async (text, timeoutMs = 5000) => { await until(() => comments.includes(text), timeoutMs, `comment "${text}"`) },
        close: () => { request.destroy() }
      })
    })
    request.on('error', reject)
  })
}
