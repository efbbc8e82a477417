import fp from 'fastify-plugin'
import { NulCharacterError, parseStrictJson } from './strict-json.js'

/** `%00` anywhere in the path or query: a NUL once Fastify decodes params and the query string. */
const NUL_IN_URL = /%00/i

/**
 * Bad input answered 400 before any handler sees it: JSON bodies read strictly (parseStrictJson: no
 * invalid UTF-8, duplicate keys or NUL), and no NUL in route params or the query string, which
 * PostgreSQL would refuse as text (a 500 later, or a value no other parser reads the same way).
 */
export const strictInputPlugin = fp(async (app) => {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseStrictJson(body as Buffer))
    } catch (err) {
      done(err as Error, undefined)
    }
  })
  app.addHook('onRequest', async (request) => {
    if (NUL_IN_URL.test(request.url)) throw new NulCharacterError('the URL')
  })
}, { name: 'lab-strict-input' })
