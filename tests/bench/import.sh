#!/usr/bin/env bash
# Times `lojal-server import` of N generated members (default 100,000) into
# a new shop, on SQLite and, given its admin URL, PostgreSQL (a new database
# is made there and dropped after); then the same file again (nothing paid
# twice) and `ledger verify`. Prints a Markdown table.
#   tests/bench/import.sh [rows] [postgres://postgres@127.0.0.1:54329/postgres]
# Uses target/release/lojal-server (cargo build --release -p lojal-server).
set -euo pipefail
rows=${1:-100000}
pg=${2:-}
bin=${LOJAL_SERVER:-target/release/lojal-server}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
awk -v n="$rows" 'BEGIN {
  srand(15); print "id,points,lifetime_points,birthday,joined_at";
  for (i = 0; i < n; i++) {
    l = int(rand() * 5000); p = int(rand() * (l + 1));
    b = (i % 3) ? sprintf("%02d-%02d", 1 + int(rand() * 12), 1 + int(rand() * 28)) : "";
    j = (i % 2) ? sprintf("20%02d-%02d-%02d", 15 + int(rand() * 10), 1 + int(rand() * 12), 1 + int(rand() * 28)) : "";
    printf "member-%d,%d,%d,%s,%s\n", i, p, l, b, j } }' > "$dir/members.csv"
seconds() { local start end; start=$(date +%s.%N); "$@" > /dev/null; end=$(date +%s.%N); echo "$end - $start" | bc; }
run() {
  local name=$1 url=$2
  "$bin" shop add --id bench-import --name Bench --db "$url" > /dev/null
  local first again verify
  first=$(seconds "$bin" import --shop bench-import --file "$dir/members.csv" --db "$url")
  again=$(seconds "$bin" import --shop bench-import --file "$dir/members.csv" --db "$url")
  verify=$("$bin" ledger verify --shop bench-import --db "$url" 2> /dev/null | tail -1)
  printf '| %s | %d | %.1f s | %.1f s | %s |\n' "$name" "$rows" "$first" "$again" "$verify"
}
echo "| database | members | import | the same file again | ledger verify |"
echo "|---|---|---|---|---|"
RUST_LOG=error run SQLite "sqlite://$dir/import.db"
if [ -n "$pg" ]; then
  db="import_bench_$$"
  psql "$pg" -qc "CREATE DATABASE $db" > /dev/null
  RUST_LOG=error run PostgreSQL "${pg%/*}/$db"
  psql "$pg" -qc "DROP DATABASE $db" > /dev/null
fi
