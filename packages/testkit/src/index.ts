export { testInfra, type TestInfra } from './infra.js'
export { createDatabase, type TestDatabase } from './database.js'
export { createProxy, type TestProxy, type ProxyTarget } from './toxiproxy.js'
export { uniqueName } from './names.js'
