import { serve } from '@lab/platform'
import { loadInventoryConfig } from './config.js'
import { buildApp } from './app.js'

const config = loadInventoryConfig()
const app = await buildApp(config, { defaultMetrics: true })
await serve(app, { host: config.HOST, port: config.PORT })
