import kafkajs from 'kafkajs'

/**
 * Ready = a kafkajs admin, through the address clients use, lists topics (the broker serves requests)
 * and finds a group coordinator (so that the first consumer group does not wait for the offsets topic).
 * The same wait for the native private broker and the testcontainers ones.
 */
export async function kafkaReady (brokers: string[], timeoutMs: number): Promise<void> {
  const kafka = new kafkajs.Kafka({ clientId: 'lab-testkit-ready', brokers, logLevel: kafkajs.logLevel.NOTHING, connectionTimeout: 1000, retry: { retries: 0 } })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const admin = kafka.admin()
    try {
      await admin.connect()
      await admin.listTopics()
      await admin.describeGroups(['lab-warm-up'])
      return
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Kafka on ${brokers.join(',')} is not ready after ${timeoutMs} ms`, { cause: err })
    } finally {
      await admin.disconnect().catch(() => {})
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
