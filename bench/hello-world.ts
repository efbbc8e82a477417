/**
 * The ceiling: a bare Fastify server (the lab's Fastify version, no logger, no plugins) answering
 * GET / with a small JSON body. The bench starts it as a child: `node --import tsx bench/hello-world.ts <port>`.
 */
import Fastify from 'fastify'

const port = Number(process.argv[2])
if (!Number.isInteger(port) || port < 1) throw new Error('usage: hello-world.ts <port>')

const app = Fastify({ logger: false })
app.get('/', async () => ({ hello: 'world' }))
await app.listen({ host: '127.0.0.1', port })

const close = () => { app.close().then(() => process.exit(0), () => process.exit(1)) }
process.once('SIGTERM', close)
process.once('SIGINT', close)
