#!/usr/bin/env bash
# Installs everything the repo needs on a fresh Debian (bookworm) machine, as
# root: the Debian Rust toolchain that targets wasm32, Chromium, lld,
# wasm-bindgen-cli (the exact version engine-rs pins) and the npm packages
# (deno and bun among them). Idempotent: each step is skipped when already done.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
caller_path=$PATH
export PATH="$cargo_bin:$PATH"

t0=$(date +%s)
say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

# 1. Debian packages. Only touch apt when something is missing.
apt_pkgs=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22 chromium)
missing=()
for p in "${apt_pkgs[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" = "ii " ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "apt: ${apt_pkgs[*]} already installed"
else
  say "apt: installing ${missing[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. The wasm32 toolchain scripts/build-wasm.sh will use.
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "rust: rustup $(rustc --version | awk '{print $2}') with the wasm32-unknown-unknown target"
else
  rustc_web=$(/usr/bin/rustc --version | awk '{print $2}')
  [ -d "/usr/src/rustc-$rustc_web/library" ] || die "rust-web-src for rustc $rustc_web is missing (/usr/src/rustc-$rustc_web)"
  say "rust: Debian rustc-web $rustc_web (builds std for wasm32 from /usr/src/rustc-$rustc_web)"
fi

# 3. wasm-bindgen-cli, the exact version of the wasm-bindgen crate pin.
want=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' engine-rs/Cargo.toml)
[ -n "$want" ] || die 'engine-rs/Cargo.toml has no exact pin wasm-bindgen = "=X"'
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" = "$want" ]; then
  say "wasm-bindgen-cli $want already installed"
else
  say "wasm-bindgen-cli: installing $want (found '${have:-none}'; takes a few minutes)"
  cargo_cmd=cargo
  command -v cargo >/dev/null || cargo_cmd=/usr/bin/cargo
  "$cargo_cmd" install --quiet --locked --force --version "$want" wasm-bindgen-cli
  have=$(wasm-bindgen --version | awk '{print $2}')
  [ "$have" = "$want" ] || die "wasm-bindgen --version says $have after installing $want"
fi
case ":$caller_path:" in
  *":$cargo_bin:"*) ;;
  *) say "note: add $cargo_bin to PATH (scripts/build-wasm.sh runs wasm-bindgen from there)" ;;
esac

# 4. npm packages, reinstalled only when package-lock.json changed since the last install.
# `npm ci` refuses this lock: the registry here lacks deno's non-Linux builds
# (@deno/darwin-*, win32-*), so the lock cannot list them. `npm install` from
# the lock is equivalent as long as it leaves the lock as it was, checked below.
stamp=node_modules/.cift-setup-lock.sha256
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ] && [ -f node_modules/.package-lock.json ]; then
  say "npm: node_modules matches package-lock.json"
else
  say "npm: installing from package-lock.json"
  npm install --no-audit --no-fund --loglevel=error
  [ "$(sha256sum package-lock.json | cut -d' ' -f1)" = "$lock_hash" ] ||
    die "npm install changed package-lock.json: it was out of date with package.json; commit the new lock"
  echo "$lock_hash" > "$stamp"
fi

# 5. The JS runtimes come from npm; make sure their binaries actually run.
deno_v=$(node_modules/.bin/deno --version | head -1) || die 'node_modules/.bin/deno does not run'
bun_v=$(node_modules/.bin/bun --version) || die 'node_modules/.bin/bun does not run'
say "runtimes: node $(node --version | tr -d v), ${deno_v% (*}, bun $bun_v"

say "done in $(($(date +%s) - t0))s"
