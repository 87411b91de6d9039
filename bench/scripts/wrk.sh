# What the bench's wrk scripts read from `wrk --latency` output; sourced, not run.
wrk_rps() { awk '/Requests\/sec/ {print int($2)}' <<<"$1"; }
wrk_percentile() { awk -v p="$2%" '$1 == p {print $2}' <<<"$1"; } # output, 50 | 99 ...
wrk_errors() { grep -E 'Socket errors|Non-2xx' <<<"$1" | tr -s ' ' | paste -sd';' || true; }
