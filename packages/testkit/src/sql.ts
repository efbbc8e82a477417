import pg from 'pg'

/** Runs one query on a test database over its own connection (what is stored, not what the API says). */
export async function sql<R extends pg.QueryResultRow> (db: { url: string }, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    return (await client.query<R>(text, params)).rows
  } finally {
    await client.end()
  }
}
