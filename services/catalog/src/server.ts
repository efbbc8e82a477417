import { serve } from '@lab/platform'
import { loadCatalogConfig } from './config.js'
import { buildApp } from './app.js'

const config = loadCatalogConfig()
const app = await buildApp(config, { defaultMetrics: true })
await serve(app, { host: config.HOST, port: config.PORT })
