import { serve } from '@lab/platform'
import { loadProviderConfig } from './config.js'
import { buildApp } from './app.js'

const config = loadProviderConfig()
const app = await buildApp(config, { defaultMetrics: true })
await serve(app, { host: config.HOST, port: config.PORT })
