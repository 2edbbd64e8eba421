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
  const at = (/** @type {string} */ base) => `(i32.add (local.get ${base}) (local.get $k))`;
  const load = (/** @type {number} */ c) => `(v128.load ${at(`$in${c}`)})`;
  let value = `(f64x2.mul ${load(0)} (v128.const f64x2 0.5 0.5))`;
  for (let c = 1; c < inputs; c++) value = `(f64x2.add ${value} ${load(c)})`;
  const stores = Array.from({ length: outputs }, (_, c) => `(v128.store ${at(`$out${c}`)} (local.get $v))`).join('\n      ');
  return `(module
  (memory (export "memory") ${pages})
  (func (export "stream") (param $in0 i32) (param $in1 i32) (param $out0 i32) (param $out1 i32) (param $out2 i32)
      (param $bytes i32) (local $k i32) (local $v v128)
    (loop $step
      (local.set $v ${value})
      ${stores}
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br_if $step (i32.lt_u (local.get $k) (local.get $bytes))))))`;
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
  if (points % 2 !== 0 || points < 2) throw new Error(`stream floor: points must be even and positive, got ${points}`);
  if (columns.length < 1 || columns.length > 2 || outputs < 1 || outputs > 3) {
    throw new Error(`stream floor: 1-2 inputs and 1-3 outputs, got ${columns.length} and ${outputs}`);
  }
  const bytes = points * 8;
  const pages = Math.ceil(((columns.length + outputs) * bytes + 65536) / 65536);
  const mod = wabt.parseWat('floor.wat', wat(columns.length, outputs, pages), { simd: true });
  const { buffer } = mod.toBinary({});
  mod.destroy();
  const instance = new WebAssembly.Instance(new WebAssembly.Module(buffer));
  const { memory, stream } = /** @type {{ memory: WebAssembly.Memory, stream: (...a: number[]) => void }} */ (
    /** @type {unknown} */ (instance.exports));
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
