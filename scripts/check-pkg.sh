#!/usr/bin/env bash
# Checks that pkg/ is exactly what engine-rs builds to (rebuilds into a temp dir
# and compares every file byte for byte), and that the wasm really uses simd128.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash scripts/build-wasm.sh "$tmp"

bad=0
mapfile -t files < <( (cd pkg && ls -A) ; (cd "$tmp" && ls -A) )
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u)
for f in "${files[@]}"; do
  if [ ! -e "$tmp/$f" ]; then
    echo "check-pkg: pkg/$f is not made by the build (a stale file?)" >&2; bad=1
  elif [ ! -e "pkg/$f" ]; then
    echo "check-pkg: pkg/$f is missing (the build makes it)" >&2; bad=1
  elif ! cmp -s "pkg/$f" "$tmp/$f"; then
    echo "check-pkg: pkg/$f differs from a fresh build ($(wc -c < "pkg/$f") vs $(wc -c < "$tmp/$f") bytes)" >&2; bad=1
  fi
done
if [ "$bad" -ne 0 ]; then
  echo "check-pkg: pkg/ is stale: run 'npm run build:wasm' and commit pkg/" >&2
  exit 1
fi
echo "check-pkg: pkg/ matches a fresh build (${#files[@]} files)"

node scripts/wasm-simd.mjs pkg/cift_engine_bg.wasm
