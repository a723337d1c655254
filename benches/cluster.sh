#!/usr/bin/env bash
# detach_nodes on a Ballista cluster of processes (the `ballista_scheduler`
# and `ballista_executor` examples on 127.0.0.1), with 1 and then 2
# executors of SLOTS task slots each, on the same tables: the wall time of
# `detach_parquet --scheduler` (the client) under `/usr/bin/time -v`. The
# request detaches every live product from all four hierarchies, as
# benches/detach_dir.sh does.
#
# Usage: benches/cluster.sh [N] [PARTITIONS] [SLOTS]
#   The tables of benches/detach_dir.sh N PARTITIONS (run it first; default
#   1,000,000 products in 16 partitions); SLOTS default 1.
# Needs the release examples:
#   cargo build --release --features datafusion --example ballista_scheduler \
#     --example ballista_executor --example detach_parquet
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
partitions="${2:-16}"
slots="${3:-1}"
target="${CARGO_TARGET_DIR:-target}/release/examples"
work="${TMPDIR:-/tmp}/cf-detach-dir-$n-$partitions"
[ -d "$work/tables" ] || { echo "no tables in $work: run benches/detach_dir.sh $n $partitions first"; exit 2; }

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { # port
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1"; return 1
}
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap stop EXIT INT TERM

for executors in 1 2; do
  scheduler="$(port)"
  "$target/ballista_scheduler" --bind "127.0.0.1:$scheduler" 2>"$work/scheduler.log" &
  pids+=($!)
  wait_port "$scheduler"
  for i in $(seq 1 "$executors"); do
    flight="$(port)"
    mkdir -p "$work/executor-$i"
    "$target/ballista_executor" --scheduler "127.0.0.1:$scheduler" --bind "127.0.0.1:$flight" \
      --grpc-port "$(port)" --slots "$slots" --work-dir "$work/executor-$i" \
      2>"$work/executor-$i.log" &
    pids+=($!)
    wait_port "$flight"
  done
  log="$work/cluster-$executors.time"
  /usr/bin/time -v "$target/detach_parquet" --scheduler "127.0.0.1:$scheduler" \
    --dir "$work/tables" --filter 'eq(status,live)' \
    --node h0 --node h1 --node h2 --node h3 --out "$work/out-cluster" >"$work/cluster.out" 2>"$log"
  printf '%s executor(s) x %s slot(s): wall %s, client peak RSS %s MB  %s\n' "$executors" "$slots" \
    "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")" \
    "$(( $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log") / 1024 ))" \
    "$(cat "$work/cluster.out")"
  stop
done
