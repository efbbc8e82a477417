import { serve } from '@lab/platform'
import { loadOrdersConfig } from './config.js'
import { buildApp } from './app.js'

const config = loadOrdersConfig()
const app = await buildApp(config, { defaultMetrics: true })
await serve(app, { host: config.HOST, port: config.PORT })
