#!/usr/bin/env bash
# detach_nodes on N generated products (default 1,000,000), in memory
# (`detach --json`) and over Parquet tables in one process
# (`detach_parquet --dir`, which runs `datafusion::detach::detach_dir`),
# under `/usr/bin/time -v`: wall time and peak RSS of each whole process,
# measured in the same run. The request detaches every live product from
# all four hierarchies:
#   --filter 'eq(status,live)' --node h0 --node h1 --node h2 --node h3
#
# Usage: benches/detach_dir.sh [N] [PARTITIONS] [MEMORY_LIMIT_MIB]
#   CHUNKS=K (environment): K catalogs of N products each (seeds 0..K-1 of
#   benches/gen_catalog.py: other products over the same nodes), each
#   exported in PARTITIONS partitions, the files renumbered into one
#   directory of K*PARTITIONS partitions (a catalog of K*N products
#   without ever holding it whole); `detach --json` then runs on the
#   first catalog only (N products), for the cost per product.
#   PARTITIONS: the tables are exported in this many partitions (default
#   16; 0 = the single-file layout). MEMORY_LIMIT_MIB: DataFusion's memory
#   limit (default none).
# Needs the release examples:
#   cargo build --release --features datafusion --example detach --example detach_parquet
# The catalog is generated (and cached) by benches/gen_catalog.py; the
# tables are exported once, before the timed runs.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
partitions="${2:-16}"
limit="${3:-}"
target="${CARGO_TARGET_DIR:-target}/release/examples"
chunks="${CHUNKS:-1}"
work="${TMPDIR:-/tmp}/cf-detach-dir-$n-$partitions${CHUNKS:+-x$chunks}"
if [ "$chunks" -gt 1 ]; then
  catalog="$(python3 benches/gen_catalog.py "$n" '' 0)"
else
  catalog="$(python3 benches/gen_catalog.py "$n")"
fi
filter='eq(status,live)'
nodes=(--node h0 --node h1 --node h2 --node h3)
mkdir -p "$work"

if [ "$chunks" -gt 1 ] && [ ! -d "$work/tables" ]; then
  [ "$partitions" -gt 0 ] || { echo "CHUNKS needs PARTITIONS > 0"; exit 2; }
  for k in $(seq 0 $((chunks - 1))); do
    part="$(python3 benches/gen_catalog.py "$n" '' "$k")"
    "$target/detach_parquet" --from-json "$part" --partitions "$partitions" \
      --dir "$work/chunk" --filter "$filter" --node no-such-node --out "$work/unused" >/dev/null
    rm -rf "$work/unused"
    [ "$k" -gt 0 ] && rm -f "$part"
    mkdir -p "$work/tables/products" "$work/tables/product_nodes"
    for i in $(seq 0 $((partitions - 1))); do
      from="$(printf 'part-%05d.parquet' "$i")"
      to="$(printf 'part-%05d.parquet' $((k * partitions + i)))"
      mv "$work/chunk/products/$from" "$work/tables/products/$to"
      mv "$work/chunk/product_nodes/$from" "$work/tables/product_nodes/$to"
    done
    [ "$k" -eq 0 ] && cp "$work/chunk/"*.parquet "$work/tables/"
    rm -rf "$work/chunk"
    echo "chunk $((k + 1)) of $chunks exported" >&2
  done
fi
if [ ! -d "$work/tables" ]; then
  split=()
  [ "$partitions" -gt 0 ] && split=(--partitions "$partitions")
  # Exporting: a request that removes nothing (its node does not exist).
  "$target/detach_parquet" --from-json "$catalog" "${split[@]}" --dir "$work/tables" \
    --filter "$filter" --node no-such-node --out "$work/unused" >/dev/null
  rm -rf "$work/unused"
fi

# detach --json reads {"request":...,"catalog":...} on stdin.
request="{\"request\":{\"data\":{\"filter\":\"$filter\",\"node_ids\":[\"h0\",\"h1\",\"h2\",\"h3\"]}},\"catalog\":"
measure() { # name, command...
  local name="$1"; shift
  local log="$work/$name.time"
  /usr/bin/time -v "$@" 2>"$log" >"$work/$name.out"
  local wall rss
  wall="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")"
  rss="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")"
  printf '%-16s wall %s  peak RSS %s MB  %s\n' "$name" "$wall" "$((rss / 1024))" \
    "$(head -c 100 "$work/$name.out")"
}
limit_args=()
[ -n "$limit" ] && limit_args=(--memory-limit "$limit")
measure detach_json sh -c "{ printf '%s' '$request'; cat '$catalog'; printf '}'; } | '$target/detach' --json"
measure detach_parquet "$target/detach_parquet" --dir "$work/tables" --filter "$filter" \
  "${nodes[@]}" --out "$work/out" "${limit_args[@]}"
