#!/usr/bin/env bash
# Builds engine-rs to WebAssembly (simd128) and writes the wasm-bindgen output
# to pkg/ (or to the directory given). Reproducible: paths are remapped, so any
# checkout builds the same bytes. WASM_SIMD=0 builds the same crate without
# simd128 (std included, so no v128 instruction anywhere) into its own target
# directory: the true scalar baseline of `npm run bench:analytics`, never pkg/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
src=/usr/src/rustc-1.96.0
out=${1:-pkg}
simd=${WASM_SIMD:-1}
if [ "$simd" = 1 ]; then
  features="-C target-feature=+simd128" target_dir="$root/target/wasm" flavour="simd128"
elif [ "$simd" = 0 ]; then
  features="" target_dir="$root/target/wasm-nosimd" flavour="no simd128"
else
  echo "build-wasm: WASM_SIMD must be 1 or 0 (got '$simd')" >&2
  exit 2
fi

if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  # A rustup toolchain with the wasm32 target needs no std rebuild.
  cargo_cmd=(cargo build)
else
  # Debian's rustc-web builds std for wasm32 from its shipped sources.
  export RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc
  cargo_cmd=(/usr/bin/cargo build -Zbuild-std=std,panic_abort)
fi
export RUSTFLAGS="${features:+$features }--remap-path-prefix=$root=. --remap-path-prefix=$src=/rustc --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"
export CARGO_TARGET_DIR="$target_dir"
"${cargo_cmd[@]}" --locked --release --target wasm32-unknown-unknown -p cift-engine

wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/cift_engine.wasm"
want=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' engine-rs/Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')
if [ "$have" != "$want" ]; then
  echo "build-wasm: wasm-bindgen-cli $want is needed (found '${have:-none}'); run scripts/setup.sh" >&2
  exit 1
fi
mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out" --out-name cift_engine "$wasm"
cat > "$out/package.json" <<JSON
{
  "name": "cift-engine",
  "version": "0.1.0",
  "description": "CIFT Markets matching engine, WebAssembly ($flavour) build of engine-rs",
  "type": "module",
  "main": "cift_engine.js",
  "types": "cift_engine.d.ts",
  "files": ["cift_engine.js", "cift_engine.d.ts", "cift_engine_bg.wasm", "cift_engine_bg.wasm.d.ts"],
  "sideEffects": false,
  "license": "Apache-2.0"
}
JSON
echo "build-wasm: wrote $out/ ($(wc -c < "$out/cift_engine_bg.wasm") bytes of wasm)"
