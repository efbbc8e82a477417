#!/usr/bin/env bash
# Installs what the native lab runs on, each step idempotent and quick when already done:
#   Debian packages (PostgreSQL, Redis, Prometheus + exporters, Alertmanager, Compose v1 for validation),
#   the Kafka broker jars from Maven Central, and Toxiproxy from the Go module proxy.
# Usage: infra/native/install-system.sh [<lab home>]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_HOME=${1:-${LAB_HOME:-$ROOT/.lab}}
TOOLS="$LAB_HOME/tools"
mkdir -p "$TOOLS/bin"

step() { printf '\033[1;34m[lab]\033[0m %s\n' "$*" >&2; }
fail() { printf '\033[1;31m[lab] %s\033[0m\n' "$*" >&2; exit 1; }

# --- Debian packages ---------------------------------------------------------------------------
APT_PACKAGES=(postgresql redis-server prometheus prometheus-postgres-exporter prometheus-redis-exporter
  prometheus-alertmanager docker-compose kcat)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # policy-rc.d keeps the packages from starting their system-wide daemons: the lab runs its own.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    # Removed however the install ends: left behind, it would block every service start on the machine.
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >"$LAB_HOME/apt.log" 2>&1 \
    || { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$LAB_HOME/apt.log" 2>&1 \
         && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$LAB_HOME/apt.log" 2>&1; } \
    || fail "apt-get install failed; see $LAB_HOME/apt.log"
  # Debian starts these as system services on some machines; the lab does not use them.
  for svc in redis-server prometheus prometheus-postgres-exporter prometheus-redis-exporter prometheus-alertmanager; do
    $SUDO service "$svc" stop >/dev/null 2>&1 || true
  done
fi

# --- Kafka (KRaft) from Maven Central ----------------------------------------------------------
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/infra/native/kafka/pom.xml")
KAFKA_LIBS="$TOOLS/kafka-$KAFKA_VERSION/libs"
if [ ! -f "$KAFKA_LIBS/.complete" ]; then
  step "resolving Kafka $KAFKA_VERSION jars from Maven Central (first run only)"
  mkdir -p "$KAFKA_LIBS"
  mvn -q -B -f "$ROOT/infra/native/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" >"$LAB_HOME/mvn.log" 2>&1 \
    || fail "could not resolve the Kafka jars; see $LAB_HOME/mvn.log"
  touch "$KAFKA_LIBS/.complete"
fi

# --- Toxiproxy from the Go module proxy --------------------------------------------------------
TOXIPROXY_VERSION=v2.12.0
go_minor=$(go env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ ! -x "$TOOLS/bin/toxiproxy-server" ] && [ "${go_minor:-0}" -lt 22 ]; then
  fail "Toxiproxy $TOXIPROXY_VERSION needs Go 1.22 or newer to build (found: $(go version 2>/dev/null || echo none))"
fi
if [ ! -x "$TOOLS/bin/toxiproxy-server" ] || [ "$(cat "$TOOLS/bin/.toxiproxy-version" 2>/dev/null)" != "$TOXIPROXY_VERSION" ]; then
  step "building Toxiproxy $TOXIPROXY_VERSION with go install (first run only)"
  gobin="$TOOLS/go-bin"; mkdir -p "$gobin"
  GOBIN="$gobin" GOFLAGS=-mod=mod go install "github.com/Shopify/toxiproxy/v2/cmd/server@$TOXIPROXY_VERSION" >"$LAB_HOME/go.log" 2>&1 \
    && GOBIN="$gobin" go install "github.com/Shopify/toxiproxy/v2/cmd/cli@$TOXIPROXY_VERSION" >>"$LAB_HOME/go.log" 2>&1 \
    || fail "could not build Toxiproxy; see $LAB_HOME/go.log"
  mv "$gobin/server" "$TOOLS/bin/toxiproxy-server"; mv "$gobin/cli" "$TOOLS/bin/toxiproxy-cli"
  echo "$TOXIPROXY_VERSION" >"$TOOLS/bin/.toxiproxy-version"
fi
