export const HELP = `Usage: ./lab <command> [options]

Runs the lab natively: PostgreSQL, Redis, Kafka, Toxiproxy, Prometheus (with the PostgreSQL and Redis
exporters), Alertmanager and the Node services as processes on 127.0.0.1, with their state under
LAB_HOME (default .lab/). Alerts arrive in the live feed (curl -N 127.0.0.1:8080/feed): docs/alerts.md.

Commands:
  up [-d|--detach] [--infra-only] [--fast]
                      start everything that is not running yet and wait until all are healthy; then
                      follow the services' logs until Ctrl-C, which stops the lab (-d returns instead).
                      --infra-only: only the infrastructure; --fast: test-only durability (no fsync)
  down [--wipe]       stop everything (data kept; --wipe deletes the data dirs too)
  status              each component's pid, port, health and memory
  logs [name...] [-f] [--req <requestId>] [--pretty|--json]
                      print (-f: and follow) the logs, prefixed with the component's name; --req keeps
                      only the lines of one request. JSON lines are shown pino-pretty on a terminal and
                      as written into a pipe (./lab logs | grep); --pretty or --json forces one
  test [--keep-infra] [vitest args...]
                      start the test infrastructure (fast mode), run lint, typecheck and vitest, stop
                      what it started (unless --keep-infra); ends with "N passed, N failed"
  bench [--duration s] [--connections n]
                      restart the lab and measure: time to healthy, throughput and latency of the
                      product page (miss, hit, direct and through the gateway), peak memory
  bench checkout|consumer|inventory|all
                      the checkout's figures: orders/s and POST→confirmed; the idempotent consumer's
                      messages/s; the three stock strategies; or all of them (./lab bench <name> --help)
  bench observability [--no-overhead]
                      on the running lab (not restarted): the series Prometheus holds after traffic
                      and a 429 burst, by job and metric; scrape duration per target; the gateway's
                      req/s and latency with and without its metrics (METRICS_ENABLED=false)
  load <scenario> [--rate r] [--duration s] [--base url]
                      one load scenario of load-tests/scenarios (browse, flash-sale, checkout, transfers,
                      burst) against the running lab, open model; prints achieved rate, latency, answers
                      by status and each threshold's verdict (exit 1 when one fails; ./lab load --help)
  experiment <name>|all [--short]
                      an experiment (cache-aside, stampede, redis-down, provider-failing, flash-sale,
                      rate-limit-burst, replica-kill, slow-provider): steady state, load, fault,
                      expectations on Prometheus and the data, rollback, recovery; a report (Markdown,
                      PNG chart) in <LAB_HOME>/experiments/ (exit 1 when a verdict fails; ./lab
                      experiment --help)
  chaos <fault>       break the running lab on purpose through the gateway's admin API, and repair it:
                      chaos redis down, chaos postgres latency 200ms, chaos provider errors 50%,
                      chaos switch cache off, chaos kill|restart kafka (native processes), chaos status,
                      chaos reset (./lab chaos help; docs/chaos.md)
  help                this text

Logs: <LAB_HOME>/logs/<name>.log   PIDs: <LAB_HOME>/run/<name>.pid`
