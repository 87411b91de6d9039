#!/usr/bin/env bash
# Keep-alive against a new TCP connection per request, on a running stack (npm start):
#   bash bench/scripts/keepalive.sh [base-url] [rounds]
# Needs wrk (apt-get install wrk). 32 connections, 10 s per run, the two ways taking
# turns; prints wrk's summary and the gateway's CPU ms per request for each run.
set -euo pipefail
BASE_URL=${1:-http://127.0.0.1:3000}
ROUNDS=${2:-2}
PRODUCT=6650f0c2a1b2c3d4e5f60719 # the demo product npm start seeds (EXAMPLE_IDS)
source "$(dirname "$0")/wrk.sh"
PORT=${BASE_URL##*:}
GATEWAY_PID=$(ss -ltnpH "sport = :$PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$GATEWAY_PID/stat"; }
TICK=$(getconf CLK_TCK)

run() { # label, path, extra wrk args...
  local label=$1 path=$2
  shift 2
  local before out requests
  before=$(cpu_ticks)
  out=$(wrk -t1 -c32 -d10s --latency "$@" "$BASE_URL$path")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  printf '%-34s %8s req/s  p50 %8s  p99 %8s  errors: %s  gateway CPU %s ms/request\n' "$label $path" \
    "$(wrk_rps "$out")" "$(wrk_percentile "$out" 50)" "$(wrk_percentile "$out" 99)" "$(wrk_errors "$out")" \
    "$(awk -v d=$(($(cpu_ticks) - before)) -v n="$requests" -v t="$TICK" 'BEGIN {printf "%.3f", d * 1000 / t / n}')"
}

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  for path in /health/live "/api/products/$PRODUCT"; do
    run keep-alive "$path"
    run "Connection: close" "$path" -H 'Connection: close'
  done
done
