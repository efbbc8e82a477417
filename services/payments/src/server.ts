import { serve } from '@lab/platform'
import { loadPaymentsConfig } from './config.js'
import { buildApp } from './app.js'

const config = loadPaymentsConfig()
const app = await buildApp(config, { defaultMetrics: true })
await serve(app, { host: config.HOST, port: config.PORT })
