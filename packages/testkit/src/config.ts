/** The one place the test kit reads the environment. */
export const testkitEnv = Object.freeze({
  /** Force a mode: `native` or `docker`; by default Docker is used when an engine answers. */
  infra: process.env.LAB_TEST_INFRA,
  /** Keep the native components this run started (for quick re-runs). */
  keepInfra: process.env.LAB_KEEP_INFRA === '1'
})
