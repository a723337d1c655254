#!/usr/bin/env bash
# The committed listing of the crate's public API, public-api.txt, kept true.
#
#   .ci/public-api.sh          write public-api.txt from the code
#   .ci/public-api.sh --check  fail when public-api.txt differs from the code
#
# The listing comes from rustdoc's JSON output, which needs a nightly
# toolchain; .ci/public-api.py turns it into one line per public item
# (paths, kinds, signatures, fields, variants, trait impls). Where there is
# no nightly, or its JSON cannot be read, the step says so and skips: it
# never fails for that reason. Features: every one but `datafusion` (whose
# dependencies would double CI's build on nightly) and `synthetic` (hidden,
# not API); see DECISIONS.md "The public API listing".
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-write}"
features="postgres,postgres-async,miette,axum"

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "public-api: no nightly toolchain here; the listing is not checked"
  exit 0
fi
target_dir="$(cargo metadata --no-deps --format-version 1 \
  | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/public-api"
if ! CARGO_TARGET_DIR="$target_dir" cargo +nightly rustdoc --lib --features "$features" \
    -- -Z unstable-options --output-format json; then
  echo "public-api: nightly rustdoc could not write its JSON; the listing is not checked"
  exit 0
fi
listing="$(mktemp)"
trap 'rm -f "$listing"' EXIT
if ! python3 .ci/public-api.py "$target_dir/doc/catalog_filter.json" > "$listing"; then
  echo "public-api: this nightly's rustdoc JSON could not be read; the listing is not checked"
  exit 0
fi
if [ "$mode" = "--check" ]; then
  if ! diff -u public-api.txt "$listing"; then
    echo "public-api.txt does not match the code: run .ci/public-api.sh, and record the change in CHANGELOG.md"
    exit 1
  fi
  echo "public-api: public-api.txt matches the code ($(wc -l < public-api.txt) items)"
else
  cp "$listing" public-api.txt
  echo "public-api: wrote public-api.txt ($(wc -l < public-api.txt) items)"
fi
