// The memory floor of a case: a WebAssembly SIMD kernel that reads the case's input columns and writes its output
// columns, 16 bytes per column a step, with one multiply (and an add per extra input) and nothing else. No kernel that
// reads and writes those bytes with plain loads and stores can be faster, so `no-SIMD time / floor time` is the
// largest SIMD/no-SIMD ratio any SIMD kernel could show on this machine at that length. Assembled at run time from
// the text below by wabt, so the bench holds no opaque bytes.
import initWabt from 'wabt';

const wabt = await initWabt();

/**
 * The WAT of the kernel with `inputs` input and `outputs` output columns: `stream(in0, in1, out0, out1, out2, bytes)`
 * walks `bytes` of each column (a multiple of 16) from its base address.
 * @param {number} inputs
 * @param {number} outputs
 * @param {number} pages
 */
function wat(inputs, outputs, pages) {
  return `(module
  (memory (export "memory") ${pages})
  ${kernel(inputs, outputs)})`;
}

/** 16-byte steps per loop turn in the probes: unrolled so loop bookkeeping is not what sets their pace. */
const UNROLL = 4;

/**
 * The `stream` function of [`wat`], for a module that declares or imports its memory: `UNROLL` steps a turn, then
 * single steps for the rest.
 * @param {number} inputs
 * @param {number} outputs
 */
function kernel(inputs, outputs) {
  const step = (/** @type {number} */ offset) => {
    const at = (/** @type {string} */ base) => `offset=${offset} (i32.add (local.get ${base}) (local.get $k))`;
    const load = (/** @type {number} */ c) => `(v128.load ${at(`$in${c}`)})`;
    let value = `(f64x2.mul ${load(0)} (v128.const f64x2 0.5 0.5))`;
    for (let c = 1; c < inputs; c++) value = `(f64x2.add ${value} ${load(c)})`;
    const stores = Array.from({ length: outputs }, (_, c) => `(v128.store ${at(`$out${c}`)} (local.get $v))`);
    return [`(local.set $v ${value})`, ...stores].join('\n        ');
  };
  const turn = Array.from({ length: UNROLL }, (_, j) => step(16 * j)).join('\n        ');
  return `(func (export "stream") (param $in0 i32) (param $in1 i32) (param $out0 i32) (param $out1 i32) (param $out2 i32)
      (param $bytes i32) (local $k i32) (local $v v128)
    ${loops(turn, step(0))})`;
}

/**
 * A loop over `$bytes` from `$k` = 0 running `turn` (`UNROLL` 16-byte steps) while a whole turn fits, then `single`
 * (one step) to the end; `$bytes` is a positive multiple of 16.
 * @param {string} turn
 * @param {string} single
 */
function loops(turn, single) {
  const whole = UNROLL * 16;
  return `(block $turns
      (br_if $turns (i32.lt_u (local.get $bytes) (i32.const ${whole})))
      (loop $turn
        ${turn}
        (local.set $k (i32.add (local.get $k) (i32.const ${whole})))
        (br_if $turn (i32.le_u (i32.add (local.get $k) (i32.const ${whole})) (local.get $bytes)))))
    (block $done
      (br_if $done (i32.ge_u (local.get $k) (local.get $bytes)))
      (loop $single
        ${single}
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br_if $single (i32.lt_u (local.get $k) (local.get $bytes)))))`;
}

/**
 * Refuses a shape the kernels do not cover: `points` even and positive (whole 16-byte steps), 1-2 inputs, 1-3 outputs.
 * @param {number} points
 * @param {number} inputs
 * @param {number} outputs
 */
function checkShape(points, inputs, outputs) {
  if (points % 2 !== 0 || points < 2) throw new Error(`stream floor: points must be even and positive, got ${points}`);
  if (inputs < 1 || inputs > 2 || outputs < 1 || outputs > 3) {
    throw new Error(`stream floor: 1-2 inputs and 1-3 outputs, got ${inputs} and ${outputs}`);
  }
}

/**
 * Assembles WAT `text` (with SIMD) and instantiates it with `imports`; returns its exports.
 * @param {string} name
 * @param {string} text
 * @param {WebAssembly.Imports} [imports]
 * @returns {unknown}
 */
function instantiate(name, text, imports) {
  const mod = wabt.parseWat(name, text, { simd: true });
  const { buffer } = mod.toBinary({});
  mod.destroy();
  return new WebAssembly.Instance(new WebAssembly.Module(buffer), imports).exports;
}

/**
 * A floor kernel over `points` values: the input columns filled with `columns` (prices, sizes), outputs written once.
 * Returns a run function that streams every column once and returns the last output value.
 * @param {number} points even, so whole 16-byte steps cover every value
 * @param {Float64Array[]} columns the input columns (one or two)
 * @param {number} outputs output columns (one to three)
 * @returns {() => number}
 */
export function streamFloor(points, columns, outputs) {
  checkShape(points, columns.length, outputs);
  const bytes = points * 8;
  const pages = Math.ceil(((columns.length + outputs) * bytes + 65536) / 65536);
  const { memory, stream } = /** @type {{ memory: WebAssembly.Memory, stream: (...a: number[]) => void }} */ (
    instantiate('floor.wat', wat(columns.length, outputs, pages)));
  // Columns one after another from 64 KiB: inputs, then outputs.
  const base = (/** @type {number} */ c) => 65536 + c * bytes;
  columns.forEach((col, c) => new Float64Array(memory.buffer, base(c), points).set(col));
  const ins = [base(0), base(columns.length - 1)];
  const outs = [0, 1, 2].map((c) => base(columns.length + Math.min(c, outputs - 1)));
  const last = new Float64Array(memory.buffer, outs[0] + bytes - 8, 1);
  return () => {
    stream(ins[0], ins[1], outs[0], outs[1], outs[2], bytes);
    return last[0];
  };
}

/**
 * The least any SIMD kernel that validates its input before writing could take, over columns that live in another
 * module's memory (byte addresses there): one read-only pass over the input columns (what a validation must at
 * least do: look at every value), then the floor kernel over the same columns, so it finds in cache what the read
 * left there. Runs in pkg/'s memory, over the columns the case's SIMD call reads.
 * @param {WebAssembly.Memory} memory
 * @param {number} points even
 * @param {number[]} ins one or two input column addresses
 * @param {number[]} outs one to three output column addresses
 * @returns {() => number}
 */
export function readThenFloorIn(memory, points, ins, outs) {
  checkShape(points, ins.length, outs.length);
  const [in0, in1 = in0] = ins;
  const [out0, out1 = out0, out2 = out1] = outs;
  // The read ORs every 16 bytes into one register: a one-cycle dependency, so the loads set the pace.
  const orIn = (/** @type {number} */ offset) => ins.map((_, c) =>
    `(local.set $acc (v128.or (local.get $acc) (v128.load offset=${offset} (i32.add (local.get $in${c}) (local.get $k)))))`)
    .join('\n        ');
  const turn = Array.from({ length: UNROLL }, (_, j) => orIn(16 * j)).join('\n        ');
  const text = `(module
  (import "env" "memory" (memory 1))
  ${kernel(ins.length, outs.length)}
  (func (export "read") (param $in0 i32) (param $in1 i32) (param $bytes i32) (result i32) (local $k i32) (local $acc v128)
    ${loops(turn, orIn(0))}
    (i32x4.extract_lane 0 (local.get $acc))))`;
  const { read, stream } = /** @type {{ read: (...a: number[]) => number, stream: (...a: number[]) => void }} */ (
    instantiate('read-then-floor.wat', text, { env: { memory } }));
  const bytes = points * 8;
  return () => {
    const bits = read(in0, in1, bytes);
    stream(in0, in1, out0, out1, out2, bytes);
    return bits;
  };
}
