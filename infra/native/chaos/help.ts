import { address } from '../../topology.js'

export const CHAOS_HELP = `Usage: ./lab chaos <fault> — break the running lab on purpose, see it, repair it (docs/chaos.md)

Every fault but the process ones goes through the gateway's admin API (/admin/chaos…, with the lab's
admin credential); each is reversible, and ./lab chaos reset restores a healthy lab.

  status                              what is broken now: native processes down, proxies, fault flags,
                                      switches, readiness (exit 1 when the admin API does not answer)
  reset                               starts every native process that is down (none when the lab is not
                                      running: ./lab up -d), then all proxies enabled without toxics,
                                      flags default, switches on (exit 1 unless the lab is healthy after)

Dependencies (Toxiproxy; <dep>: postgres, redis, kafka, provider, provider-callbacks):
  <dep> down | up                     disable the proxy (connections refused) / heal it (toxics removed too)
  <dep> latency <ms> [jitter]         e.g. ./lab chaos postgres latency 200ms
  <dep> timeout <ms>                  nothing passes; connections closed after <ms> (0: never)
  <dep> reset-peer [ms]               connections reset (TCP RST) after [ms]
  <dep> bandwidth <KB/s>              what the dependency sends back, capped

Fault flags inside services:
  provider errors <rate>              share of charges answered 503, e.g. 50% (0 to stop)
  provider declines <rate>            share of charges declined
  provider slow <ms>                  the provider waits before answering (its own knob)
  catalog slow-query <ms>             pg_sleep before every product-page query (0 to stop)
  notifications poison <key>|off      the consumer fails every message with this key (an order id)
  <service> faults reset              that service's flags back to default
  ready <service|instance> off|on     /health/ready answers 503: e.g. ./lab chaos ready catalog-2 off

Pattern switches (on by default):
  switch <pattern> off|on [--service s]
      catalog: cache, single-flight, negative-cache
      gateway: rate-limit, rate-limit-fixed-window, rate-limit-sliding-window, rate-limit-token-bucket,
               breaker-redis, breaker-<upstream> (catalog, inventory, orders, payments, notifications)
      payments: retry-backoff, retry-budget, breaker-provider, idempotent-consumer,
                charge-worker (off: card charges made inside the consumer's transaction)
      inventory: stock-locking (off: reservations naming no strategy read-then-write, naively)
      payments, orders: idempotency-key (--service payments|orders)
  switch reset --service s            every switch of s on

Process faults (native, done by this command itself; Docker: docker compose stop|kill|start <name>,
and docker compose start to bring back all, which reset does not do there):
  stop | kill | start | restart <component>    e.g. ./lab chaos kill kafka, ./lab chaos restart redis

Dead letters (native, straight to Kafka at ${address('kafka', 'native')}; LAB_KAFKA_BROKERS overrides):
  dlq                                 the dead-letter topics holding messages (kafka_dlq_depth), how to read them
  dlq purge <topic|all>               delete what they hold now, once read (e.g. orders.placed.v1.dlq.v1)

Environment: LAB_ADMIN_URL (default http://127.0.0.1:8080), LAB_ADMIN_TOKEN (default: the topology's).`
