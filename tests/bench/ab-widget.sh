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
# Environment: BEFORE (the older binary, default /tmp/ab/lojal-old), its
# database BEFORE_DB (default /tmp/ab/old.db) and AFTER_DB (/tmp/ab/new.db);
# SCRIPT (default tests/bench/widget.lua) with DATA for both (default each
# database's own .lua), e.g. SCRIPT=tests/bench/widget-first-views.lua
# DATA=/tmp/ab/first.lua WARM=1 after `tests/bench/first-views-data.py
# 10000 500 > /tmp/ab/first.lua`.
set -u
cd "$(dirname "$0")/../.."
ab() { # name binary db lua port
  RUST_LOG=warn $2 serve --no-rate-limits --addr 127.0.0.1:$5 --db sqlite://$3 >/dev/null 2>&1 &
  pid=$!; sleep 2
  wrk -t2 -c 32 -d ${WARM:-20}s --timeout 5s -s ${SCRIPT:-tests/bench/widget.lua} http://127.0.0.1:$5 -- ${DATA:-$4} >/dev/null 2>&1
  line=$(wrk -t2 -c 32 -d 10s --timeout 5s -s ${SCRIPT:-tests/bench/widget.lua} http://127.0.0.1:$5 -- ${DATA:-$4} | grep LOJAL-BENCH)
  echo "$1 $line"
  kill -TERM $pid; wait $pid 2>/dev/null
}
for i in $(seq 1 "$1"); do
  ab before ${BEFORE:-/tmp/ab/lojal-old} ${BEFORE_DB:-/tmp/ab/old.db} ${BEFORE_DB:-/tmp/ab/old.db}.lua 18081
  ab after target/release/lojal-server ${AFTER_DB:-/tmp/ab/new.db} ${AFTER_DB:-/tmp/ab/new.db}.lua 18082
done
