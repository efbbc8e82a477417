/**
 * The lab's own engine has no route out, so Docker's embedded DNS forwarded a name it does not know (a
 * stopped container's) into the void and answered nothing: every lookup of a stopped Redis took the
 * client's whole resolver timeout (10 s by default) where a Docker with a way out hears "no such name"
 * at once. This is the resolver the engine uses instead (dockerd --dns, see dns.ts): a name of one
 * label (`redis`, as containers call each other) is answered NXDOMAIN at once, as the internet's root
 * would; any other is relayed to the host's own resolvers (/etc/resolv.conf), which builds on the host
 * network need for the package registries. Run as its own process; plain TypeScript that Node runs as
 * it is.
 * @see https://www.rfc-editor.org/rfc/rfc1035#section-4.1.1
 */
import { createSocket } from 'node:dgram'
import { readFileSync } from 'node:fs'

const address = process.argv[2] ?? '169.254.53.53'
const upstreams = readFileSync('/etc/resolv.conf', 'utf8').split('\n')
  .map((line) => /^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(line)?.[1])
  .filter((ip): ip is string => ip !== undefined && ip !== address && !ip.startsWith('127.'))
const socket = createSocket('udp4')

/** The end of the first question (its name's labels, the root label, QTYPE and QCLASS), and how many labels the name has. */
function question (query: Buffer): { end: number, labels: number } {
  let end = 12
  let labels = 0
  while (end < query.length && query[end] !== 0) {
    end += (query[end] ?? 0) + 1
    labels++
  }
  return { end: Math.min(end + 5, query.length), labels }
}

function nxdomain (query: Buffer, end: number): Buffer {
  const answer = Buffer.from(query.subarray(0, end))
  answer[2] = 0x80 | ((query[2] ?? 0) & 0x79) // QR = response; opcode and RD as asked
  answer[3] = 0x80 | 3 // RA, RCODE 3 = NXDOMAIN
  answer.writeUInt16BE(1, 4)
  answer.writeUInt16BE(0, 6)
  answer.writeUInt16BE(0, 8)
  answer.writeUInt16BE(0, 10)
  return answer
}

/** One query to the host's resolvers, the first answer relayed back as it came; silence after 5 s, as a timeout. */
function relay (query: Buffer, reply: (answer: Buffer) => void): void {
  const upstream = createSocket('udp4')
  const timer = setTimeout(() => { upstream.close() }, 5000)
  upstream.on('message', (answer) => { clearTimeout(timer); upstream.close(); reply(answer) })
  upstream.on('error', () => { clearTimeout(timer); upstream.close() })
  for (const ip of upstreams) upstream.send(query, 53, ip)
}

socket.on('message', (query, client) => {
  if (query.length < 12) return
  const { end, labels } = question(query)
  const reply = (answer: Buffer) => { socket.send(answer, client.port, client.address) }
  if (labels <= 1 || upstreams.length === 0) reply(nxdomain(query, end))
  else relay(query, reply)
})
socket.on('error', (err) => {
  process.stderr.write(`lab engine resolver: ${err.message}\n`)
  process.exit(1)
})
socket.bind(53, address, () => { process.stdout.write(`lab engine resolver on ${address}:53 (one-label names: NXDOMAIN; others relayed to ${upstreams.join(', ') || 'nobody'})\n`) })
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => { socket.close(); process.exit(0) })
