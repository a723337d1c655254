#!/usr/bin/env bash
# Self-test of .ci/check-stages.sh, so that the check cannot silently pass:
# on a small src tree with one violation of each kind it must fail and name
# each one; on the same tree without them it must pass and list the
# extension method.
set -euo pipefail
cd "$(dirname "$0")/.."
check="$PWD/.ci/check-stages.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

write_tree() {    # $1: directory; $2: "bad" to add the violations
  mkdir -p "$1/b"
  cat > "$1/lib.rs" <<'RS'
//! <!-- stages -->
//! a, leaf*, b, c
//! <!-- /stages -->
pub mod a;
pub mod b;
pub mod c;
pub mod leaf;
RS
  cat > "$1/leaf.rs" <<'RS'
pub struct Limit;
RS
  cat > "$1/a.rs" <<'RS'
use crate::leaf::Limit;
pub struct Early;
pub trait Named {}
impl Named for Limit {}
RS
  cat > "$1/b/mod.rs" <<'RS'
use crate::a::Early;
pub struct Middle;
impl crate::a::Named for Middle {}
impl Early {
    pub fn extended(&self) {}
}
RS
  cat > "$1/c.rs" <<'RS'
pub struct Late;
pub trait LateTrait {}
RS
  if [ "${2:-}" = bad ]; then
    cat >> "$1/a.rs" <<'RS'
use crate::b::Middle;
impl crate::c::LateTrait for Early {}
impl Late {
    pub fn misplaced(&self) {}
}
impl From<Middle> for Early {
    fn from(_: Middle) -> Early { Early }
}
RS
    echo 'pub struct Unlisted;' > "$1/stray.rs"
  fi
}

fail() { echo "check-stages-test: $*"; exit 1; }

write_tree "$tmp/good"
out="$("$check" "$tmp/good")" || fail "a clean tree failed:"$'\n'"$out"
expected="extension methods (inherent impls of a type of an earlier stage):
  $tmp/good/b/mod.rs:4: impl Early (of \`a\`) in \`b\`
check-stages: 0 error(s), 0 warning(s)"
[ "$out" = "$expected" ] || fail "clean tree: expected"$'\n'"$expected"$'\n'"got"$'\n'"$out"

write_tree "$tmp/bad" bad
if out="$("$check" "$tmp/bad")"; then fail "a tree with violations passed:"$'\n'"$out"; fi
for line in \
  "ERROR $tmp/bad/a.rs:5: \`a\` (stage 1) imports later stage \`b\` (stage 3)" \
  "ERROR $tmp/bad/a.rs:6: \`a\` (stage 1) imports later stage \`c\` (stage 4)" \
  "ERROR $tmp/bad/a.rs:6: \`a\` (stage 1) has an impl naming \`LateTrait\` of later stage \`c\` (stage 4)" \
  "ERROR $tmp/bad/a.rs:7: \`a\` (stage 1) has an impl naming \`Late\` of later stage \`c\` (stage 4)" \
  "ERROR $tmp/bad/a.rs:10: \`a\` (stage 1) has an impl naming \`Middle\` of later stage \`b\` (stage 3)" \
  "ERROR $tmp/bad/stray.rs: module \`stray\` is not in the stage list of .ci/check-stages.sh" \
  "check-stages: 6 error(s), 0 warning(s)"; do
  grep -qxF -- "$line" <<<"$out" || fail "missing line: $line"$'\n'"in"$'\n'"$out"
done
echo "check-stages-test: ok"
