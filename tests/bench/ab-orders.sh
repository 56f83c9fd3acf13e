#!/usr/bin/env bash
# A/B of POST /orders on SQLite: two lojal-server binaries, alternating, on
# copies of one seeded database, same machine, same minutes; each run ends
# with SIGKILL and counts the stored orders against the 201s wrk saw.
#   tests/bench/ab-orders.sh BEFORE_BIN AFTER_BIN [ROUNDS]
# The seed: target/release/examples/bench_data (cargo build --release -p
# lojal-server --example bench_data), 10,000 members, 50,024 products;
# or BENCH_SEED=DIR, a directory with a seed.db and data.lua grown so.
set -euo pipefail
before=$1 after=$2 rounds=${3:-3}
data=${BENCH_DATA:-target/release/examples/bench_data}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ -n "${BENCH_SEED:-}" ]; then
  # A database seeded before (BENCH_SEED=DIR holding seed.db and data.lua,
  # as below): growing one takes minutes.
  cp "$BENCH_SEED/seed.db" "$BENCH_SEED/data.lua" "$dir/"
else
  "$data" --db "sqlite://$dir/seed.db" grow --members 10000 --variants 296 --lua "$dir/data.lua" > /dev/null
fi
run() { # label binary
  cp "$dir/seed.db" "$dir/run.db"
  rm -f "$dir/run.db-wal" "$dir/run.db-shm"
  RUST_LOG=warn "$2" serve --no-rate-limits --addr 127.0.0.1:18777 --db "sqlite://$dir/run.db" > /dev/null 2>&1 &
  local pid=$!
  until curl -s 127.0.0.1:18777/healthz > /dev/null; do sleep 0.2; done
  local line
  line=$(wrk -t2 -c16 -d10s --timeout 5s -s tests/bench/orders.lua http://127.0.0.1:18777 -- "$dir/data.lua" "$1-" \
    | grep LOJAL-BENCH)
  kill -9 $pid
  wait $pid 2> /dev/null || true
  echo "$1 ${line#LOJAL-BENCH } stored=$("$data" --db "sqlite://$dir/run.db" count-orders --prefix "$1-")"
}
for i in $(seq 1 "$rounds"); do
  run "before$i" "$before"
  run "after$i" "$after"
done
