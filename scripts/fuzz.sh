#!/usr/bin/env bash
# Bounded fuzzing of the engine: bash scripts/fuzz.sh [seconds] (default 60),
# split evenly between the cargo-fuzz targets in engine-rs/fuzz (build time
# not included). Installs cargo-fuzz if missing and runs on the stable
# toolchain with RUSTC_BOOTSTRAP=1 (cargo-fuzz passes nightly-only flags).
# Exits non-zero if a target crashes, printing the input and how to replay it.
#
# Env: FUZZ_SANITIZER=none|address (default none). AddressSanitizer works with
# stable + RUSTC_BOOTSTRAP too, but the native engine build has no unsafe code
# for it to check (the one unsafe block is wasm32-only) and it runs the book
# target ~5x slower, so a short run finds more without it.
set -euo pipefail

cd "$(dirname "$0")/../engine-rs"

total="${1:-60}"
if ! [[ "$total" =~ ^[0-9]+$ ]] || ((total < 1)); then
  echo "usage: $0 [seconds]" >&2
  exit 2
fi
targets=(decode book)
per=$((total / ${#targets[@]}))
((per >= 1)) || per=1

# cargo-fuzz 0.13.2 installs with --locked on Rust 1.95; keep it pinned so CI
# machines get the same fuzzer front end.
cargo_fuzz_version=0.13.2
export RUSTC_BOOTSTRAP=1
cargo=(cargo +stable)
if ! "${cargo[@]}" fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz $cargo_fuzz_version"
  "${cargo[@]}" install cargo-fuzz --version "$cargo_fuzz_version" --locked
fi

# Same flags for build and run, so the run reuses the build.
flags=(--fuzz-dir fuzz -a -s "${FUZZ_SANITIZER:-none}")
# -max_len: the book target needs long inputs for long command sequences;
# -timeout: a single input running this long is a hang, reported as a crash.
libfuzzer=(-max_len=4096 -timeout=20 -print_final_stats=1)
workdir=fuzz/target/fuzz-work
failed=()

for t in "${targets[@]}"; do
  echo "fuzz: building $t"
  "${cargo[@]}" fuzz build "${flags[@]}" "$t"
  # New inputs go to a gitignored working corpus; the committed seeds are read only.
  mkdir -p "$workdir/corpus/$t"
  # It grows run after run, and loading it counts against the time: shrink it
  # to the inputs that still add coverage once it gets large.
  if (($(ls "$workdir/corpus/$t" | wc -l) > 2000)); then
    echo "fuzz: minimizing the working corpus of $t"
    "${cargo[@]}" fuzz cmin "${flags[@]}" "$t" "$workdir/corpus/$t" -- -max_len=4096 >"$workdir/$t-cmin.log" 2>&1
  fi
  log="$workdir/$t.log"
  echo "fuzz: running $t for ${per}s"
  set +e
  "${cargo[@]}" fuzz run "${flags[@]}" "$t" "$workdir/corpus/$t" "fuzz/corpus/$t" -- \
    -max_total_time="$per" "${libfuzzer[@]}" >"$log" 2>&1
  status=$?
  set -e
  runs=$(grep -oE 'stat::number_of_executed_units: +[0-9]+' "$log" | grep -o '[0-9]*$' || true)
  rate=$(grep -oE 'stat::average_exec_per_sec: +[0-9]+' "$log" | grep -o '[0-9]*$' || true)
  echo "fuzz: $t: exit $status, ${runs:-?} executions (${rate:-?}/s), corpus $(ls "$workdir/corpus/$t" | wc -l) inputs"
  if ((status != 0)); then
    # The panic message (or libFuzzer's verdict on a hang or out-of-memory).
    grep -m 1 -A 8 -E "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer" "$log" || tail -n 30 "$log"
    artifact=$(grep -o 'Test unit written to [^ ]*' "$log" | tail -n 1 | sed 's/Test unit written to //')
    echo
    echo "fuzz: $t FAILED; full log: engine-rs/$log"
    if [[ -n "$artifact" ]]; then
      echo "fuzz: crashing input: engine-rs/$artifact"
      echo "fuzz: reproduce:  cd engine-rs && RUSTC_BOOTSTRAP=1 cargo +stable fuzz run ${flags[*]} $t $artifact"
      echo "fuzz: minimize:   cd engine-rs && RUSTC_BOOTSTRAP=1 cargo +stable fuzz tmin ${flags[*]} $t $artifact"
      if [[ "$t" == book ]]; then
        echo "fuzz: print its command sequence: prefix the reproduce line with CIFT_FUZZ_TRACE=1"
      fi
    fi
    failed+=("$t")
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz: crashed: ${failed[*]}"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${per}s each, no crash"
