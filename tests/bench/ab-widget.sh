#!/usr/bin/env bash
# (Copied from the session that wrote BENCHMARKS.md; paths of the two servers and their shops are in the script.)
# A/B of GET /widget: the binary before this session (d7256b3) and after it,
# alternating, same machine, same minute. Usage: run.sh ROUNDS
set -u
cd /work/main
ab() { # name binary db lua port
  RUST_LOG=warn $2 serve --no-rate-limits --addr 127.0.0.1:$5 --db sqlite://$3 >/dev/null 2>&1 &
  pid=$!; sleep 2
  wrk -t2 -c 32 -d 3s --timeout 5s -s tests/bench/widget.lua http://127.0.0.1:$5 -- $4 >/dev/null 2>&1
  line=$(wrk -t2 -c 32 -d 10s --timeout 5s -s tests/bench/widget.lua http://127.0.0.1:$5 -- $4 | grep LOJAL-BENCH)
  echo "$1 $line"
  kill -TERM $pid; wait $pid 2>/dev/null
}
for i in $(seq 1 $1); do
  ab before /tmp/ab/lojal-old /tmp/ab/old.db /tmp/ab/old.lua 18081
  ab after /work/main/target/release/lojal-server /tmp/ab/new.db /tmp/ab/new.lua 18082
done
