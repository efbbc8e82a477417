import { serve } from '@lab/platform'
import { buildApp } from './app.js'
import { loadGatewayConfig } from './config.js'

const config = loadGatewayConfig()
const app = await buildApp(config)
await serve(app, { host: config.HOST, port: config.PORT })
