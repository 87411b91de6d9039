#!/usr/bin/env bash
# The read tail's floor on this machine: the p99 / p50 that a closed loop of 32 connections
# gives against one bare node:http server answering a fixed product from memory (no
# framework, Kafka, database or log line), taking turns with the same load on a running
# gateway's paths when a base URL is given (npm start):
#   bash bench/scripts/tail-floor.sh [gateway-base-url] [rounds]
# Needs wrk (apt-get install wrk) and curl: wrk is a load generator in C, so the server,
# not the load generator, is what saturates (autocannon in Node saturates first against a
# bare server). A run with any error or non-2xx answer says so instead of a ratio.
set -euo pipefail
BASE_URL=${1:-}
ROUNDS=${2:-2}
PRODUCT=6650f0c2a1b2c3d4e5f60719 # the demo product npm start seeds (EXAMPLE_IDS)
source "$(dirname "$0")/wrk.sh"
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

node -e '
  const body = JSON.stringify({ id: "'"$PRODUCT"'", name: "Mechanical keyboard", priceCents: 8999, stock: 1000, lowStockThreshold: 5 });
  require("node:http").createServer((req, res) => res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body)).listen('"$PORT"', "127.0.0.1");
' &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break
  kill -0 $SERVER 2>/dev/null || { echo "the bare server did not start (port $PORT taken?)" >&2; exit 1; }
  sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/" >/dev/null || { echo "the bare server did not answer within 10 s" >&2; exit 1; }

run() { # label, url
  local out p50 p99 errors
  out=$(wrk -t1 -c32 -d10s --latency "$2")
  errors=$(wrk_errors "$out")
  if [ -n "$errors" ]; then
    printf '%-44s errors: %s\n' "$1" "$errors"
    return
  fi
  p50=$(wrk_percentile "$out" 50)
  p99=$(wrk_percentile "$out" 99)
  printf '%-44s %8s req/s  p50 %8s  p99 %8s  p99/p50 %s\n' "$1" "$(wrk_rps "$out")" "$p50" "$p99" \
    "$(awk -v a="$p99" -v b="$p50" 'function ms(x) { return x ~ /us$/ ? x / 1000 : x ~ /ms$/ ? x + 0 : x * 1000 } BEGIN { printf "%.1f", ms(a) / ms(b) }')"
}

wrk -t1 -c32 -d3s "http://127.0.0.1:$PORT/" >/dev/null # warm-ups
if [ -n "$BASE_URL" ]; then wrk -t1 -c32 -d3s "$BASE_URL/api/products/$PRODUCT" >/dev/null; fi
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  run "bare node:http" "http://127.0.0.1:$PORT/api/products/$PRODUCT"
  if [ -n "$BASE_URL" ]; then
    run "gateway /health/live" "$BASE_URL/health/live"
    run "gateway /api/products/:id (no token)" "$BASE_URL/api/products/$PRODUCT"
  fi
done
