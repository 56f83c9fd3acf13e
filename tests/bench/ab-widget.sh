#!/usr/bin/env bash
# A/B of GET /widget on SQLite: an older server binary and this tree's
# release build, alternating on copies of one database, same minute, warm
# (each server first sees every member of the sample for WARM seconds, so
# their joining and daily picks are written), then 10 s measured.
#
# Setup (once):
#   git worktree add /tmp/base <commit> && (cd /tmp/base && CARGO_TARGET_DIR=/tmp/base-target cargo build --release -p lojal-server)
#   mkdir -p /tmp/ab && cp /tmp/base-target/release/lojal-server /tmp/ab/lojal-old
#   cargo build --release -p lojal-server && cargo build --release -p lojal-server --example bench_data
#   target/release/examples/bench_data --db sqlite:///tmp/ab/new.db grow --members 10000 --variants 296 --lua /tmp/ab/new.lua
#   cp /tmp/ab/new.db /tmp/ab/old.db && cp /tmp/ab/new.lua /tmp/ab/old.lua
# Usage: tests/bench/ab-widget.sh ROUNDS
set -u
cd "$(dirname "$0")/../.."
ab() { # name binary db lua port
  RUST_LOG=warn $2 serve --no-rate-limits --addr 127.0.0.1:$5 --db sqlite://$3 >/dev/null 2>&1 &
  pid=$!; sleep 2
  wrk -t2 -c 32 -d ${WARM:-20}s --timeout 5s -s tests/bench/widget.lua http://127.0.0.1:$5 -- $4 >/dev/null 2>&1
  line=$(wrk -t2 -c 32 -d 10s --timeout 5s -s tests/bench/widget.lua http://127.0.0.1:$5 -- $4 | grep LOJAL-BENCH)
  echo "$1 $line"
  kill -TERM $pid; wait $pid 2>/dev/null
}
for i in $(seq 1 "$1"); do
  ab before /tmp/ab/lojal-old /tmp/ab/old.db /tmp/ab/old.lua 18081
  ab after target/release/lojal-server /tmp/ab/new.db /tmp/ab/new.lua 18082
done
