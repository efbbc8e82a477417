import type pg from 'pg'

/**
 * pool.end() resolves before its clients' sockets are closed; dropping the database WITH (FORCE) right
 * after would kill them mid-goodbye and crash the test with an unhandled 'error'. Wait for every 'remove'.
 */
export async function endPool (pool: pg.Pool): Promise<void> {
  const open = pool.totalCount
  let removed = 0
  const allRemoved = new Promise<void>((resolve) => {
    if (open === 0) resolve()
    pool.on('remove', () => { if (++removed >= open) resolve() })
  })
  await pool.end()
  await allRemoved
}
