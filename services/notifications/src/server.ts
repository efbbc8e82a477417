import { serve } from '@lab/platform'
import { loadNotificationsConfig } from './config.js'
import { buildApp } from './app.js'

const config = loadNotificationsConfig()
const app = await buildApp(config, { defaultMetrics: true })
await serve(app, { host: config.HOST, port: config.PORT })
