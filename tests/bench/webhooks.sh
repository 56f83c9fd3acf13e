#!/usr/bin/env bash
# Order ingestion with a registered webhook endpoint (every event type, a
# receiver on loopback answering 204) against without one, alternating, on
# SQLite copies of one generated shop. Prints a Markdown table for
# BENCHMARKS.md. Usage: tests/bench/webhooks.sh [ROUNDS] [SECONDS] [MEMBERS]
# Needs wrk, python3 and the release builds:
#   cargo xtask build-server && cargo build --release -p lojal-server --example bench_data
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}; DURATION=${2:-10}; MEMBERS=${3:-2000}
BIN=$PWD/target/release/lojal-server; DATA=$PWD/target/release/examples/bench_data
WORK=$(mktemp -d)
RECEIVER_PID=""; SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "$RECEIVER_PID" ] && kill "$RECEIVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }

"$DATA" --db "sqlite://$WORK/base.db" grow --members "$MEMBERS" --variants 20 --lua "$WORK/data.lua" >&2
RPORT=$(free_port)
python3 tests/bench/webhook_receiver.py "$RPORT" & RECEIVER_PID=$!
wait_port "$RPORT"
EVENTS=(member.joined points.earned points.spent points.reversed points.expired points.expiring tier.changed
        reward.redeemed code.used code.voided referral.completed feedback.received)

field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$2"; }

echo "| round | endpoint | orders/s | p50 | p99 | errors | events written | delivered | all delivered after the load |"
echo "|---|---|---|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for mode in without with; do
    db="$WORK/$mode-$round.db"
    cp "$WORK/base.db" "$db"
    if [ "$mode" = with ]; then
      args=(); for e in "${EVENTS[@]}"; do args+=(--event "$e"); done
      "$BIN" webhook add --shop bench --url "http://127.0.0.1:$RPORT/hook" "${args[@]}" --db "sqlite://$db" >/dev/null
    fi
    before=$(curl -s "http://127.0.0.1:$RPORT/count")
    port=$(free_port)
    RUST_LOG=warn "$BIN" serve --no-rate-limits --addr "127.0.0.1:$port" --db "sqlite://$db" >/dev/null 2>"$WORK/server.log" &
    SERVER_PID=$!
    wait_port "$port"
    wrk -t2 -c16 -d2s --timeout 5s -s tests/bench/orders.lua "http://127.0.0.1:$port" -- "$WORK/data.lua" "warm-$mode-$round-" >/dev/null
    line=$(wrk -t2 -c16 -d"${DURATION}s" --timeout 5s -s tests/bench/orders.lua "http://127.0.0.1:$port" -- "$WORK/data.lua" "$mode-$round-" | grep LOJAL-BENCH)
    ended=$(date +%s.%N)
    written="–"; delivered="–"; drained="–"
    if [ "$mode" = with ]; then
      # Wait until nothing is pending for the endpoint (at most 120 s).
      for _ in $(seq 1 1200); do
        pending=$("$BIN" webhook list --shop bench --db "sqlite://$db" | awk -F'\t' '{print $5}' | awk '{print $1}')
        [ "$pending" = 0 ] && break
        sleep 0.1
      done
      drained=$(python3 -c "import time; print(f'{time.time() - $ended:.1f} s')")
      written=$(python3 - "$db" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM webhook_events").fetchone()[0])
PY
)
      delivered=$(( $(curl -s "http://127.0.0.1:$RPORT/count") - before ))
    fi
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
    rps=$(field rps "$line"); p50=$(field p50_us "$line"); p99=$(field p99_us "$line")
    errors=$(( $(field errors "$line") + $(field non_2xx "$line") ))
    printf '| %s | %s | %s | %.1f ms | %.1f ms | %s | %s | %s | %s |\n' "$round" "$mode" "$rps" \
      "$(awk "BEGIN{print $p50/1000}")" "$(awk "BEGIN{print $p99/1000}")" "$errors" "$written" "$delivered" "$drained"
  done
done
