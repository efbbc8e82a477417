/** The one place the test kit reads the environment. */
export const testkitEnv = Object.freeze({
  /**
   * Where the tests' PostgreSQL, Redis, Kafka and Toxiproxy come from: `docker` = testcontainers (set by
   * `./lab test --docker`); anything else, or unset = the native lab. Never chosen because an engine answers.
   */
  infra: process.env.LAB_TEST_INFRA,
  /** Keep the native components this run started (for quick re-runs). */
  keepInfra: process.env.LAB_KEEP_INFRA === '1'
})
