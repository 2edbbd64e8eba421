#!/usr/bin/env node
// Counts the simd128 instructions in a .wasm file by decoding every function
// body of its code section instruction by instruction (a byte scan would also
// match 0xFD inside immediates). Exits 1 when there are none.
// Usage: node scripts/wasm-simd.mjs <file.wasm>
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const CODE_SECTION = 10;
const FUNCTION_SECTION = 3;
const CUSTOM_SECTION = 0;

/** A cursor over the module bytes with the LEB128 readers the format needs. */
class Reader {
  constructor(bytes, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  byte() {
    if (this.pos >= this.end) throw new Error(`unexpected end of data at byte ${this.pos}`);
    return this.bytes[this.pos++];
  }

  skip(n) {
    if (this.pos + n > this.end) throw new Error(`unexpected end of data at byte ${this.pos}`);
    this.pos += n;
  }

  /** Unsigned LEB128 (u32 or u64; the value only matters for small ones). */
  u32() {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      if (shift < 28) result |= (b & 0x7f) << shift;
      else result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return shift < 28 ? result >>> 0 : result;
      shift += 7;
      if (shift > 63) throw new Error(`LEB128 too long at byte ${this.pos}`);
    }
  }

  /** Signed LEB128, skipped: its value never matters here. */
  skipLeb() {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    throw new Error(`LEB128 too long at byte ${this.pos}`);
  }

  name() {
    const len = this.u32();
    const start = this.pos;
    this.skip(len);
    return new TextDecoder().decode(this.bytes.subarray(start, start + len));
  }
}

const VALTYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);
const REF_TYPE_PREFIXES = new Set([0x63, 0x64]); // (ref null ht), (ref ht)

function skipValtype(r) {
  const t = r.byte();
  if (REF_TYPE_PREFIXES.has(t)) r.skipLeb();
  else if (!VALTYPES.has(t)) throw new Error(`unknown value type 0x${t.toString(16)} at byte ${r.pos - 1}`);
}

function skipBlockType(r) {
  const t = r.bytes[r.pos];
  if (t === 0x40 || VALTYPES.has(t)) r.skip(1);
  else if (REF_TYPE_PREFIXES.has(t)) skipValtype(r);
  else r.skipLeb(); // s33 type index
}

function skipMemarg(r) {
  const align = r.u32();
  if (align & 0x40) r.u32(); // multi-memory: explicit memory index
  r.u32(); // offset
}

/** Immediates of the 0xFD (simd128 and relaxed-simd) sub-opcodes. */
function skipSimdImmediates(r, op) {
  if (op <= 11 || op === 92 || op === 93) skipMemarg(r); // loads, store, load_zero
  else if (op === 12 || op === 13) r.skip(16); // v128.const, i8x16.shuffle
  else if (op >= 21 && op <= 34) r.skip(1); // extract/replace lane
  else if (op >= 84 && op <= 91) {
    skipMemarg(r); // load/store lane
    r.skip(1);
  } else if (op > 0x113) throw new Error(`unknown simd opcode 0xfd ${op} at byte ${r.pos}`);
}

/** Immediates of the 0xFC (saturating truncation, bulk memory, table) sub-opcodes. */
function skipMiscImmediates(r, op) {
  if (op <= 7) return;
  if (op === 8 || op === 10 || op === 12 || op === 14) {
    r.u32();
    r.u32();
  } else if (op === 9 || op === 11 || op === 13 || (op >= 15 && op <= 17)) r.u32();
  else throw new Error(`unknown opcode 0xfc ${op} at byte ${r.pos}`);
}

/**
 * Decodes one function body (locals, then instructions up to its final `end`)
 * and adds each simd opcode to `simd`. Throws unless the final `end` is the
 * body's last byte, which catches any mis-sized immediate.
 */
function decodeBody(r, simd) {
  const groups = r.u32();
  for (let i = 0; i < groups; i++) {
    r.u32();
    skipValtype(r);
  }
  let depth = 0;
  let found = 0;
  while (r.pos < r.end) {
    const op = r.byte();
    if (op === 0x02 || op === 0x03 || op === 0x04) {
      skipBlockType(r);
      depth++;
    } else if (op === 0x0b) {
      if (depth-- === 0) {
        if (r.pos !== r.end) throw new Error(`function body ends at byte ${r.pos}, before its size says (${r.end})`);
        return found;
      }
    } else if (op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0f || op === 0x1a || op === 0x1b) {
      // unreachable, nop, else, return, drop, select: no immediates
    } else if (op === 0x0c || op === 0x0d || op === 0x10 || op === 0x12 || (op >= 0x20 && op <= 0x26)) {
      r.u32(); // br, br_if, call, return_call, local.*, global.*, table.get/set
    } else if (op === 0x0e) {
      const n = r.u32();
      for (let i = 0; i <= n; i++) r.u32(); // br_table labels + default
    } else if (op === 0x11 || op === 0x13) {
      r.u32(); // call_indirect / return_call_indirect: type, table
      r.u32();
    } else if (op === 0x1c) {
      const n = r.u32();
      for (let i = 0; i < n; i++) skipValtype(r);
    } else if (op >= 0x28 && op <= 0x3e) {
      skipMemarg(r);
    } else if (op === 0x3f || op === 0x40) {
      r.u32(); // memory index
    } else if (op === 0x41 || op === 0x42) {
      r.skipLeb();
    } else if (op === 0x43) {
      r.skip(4);
    } else if (op === 0x44) {
      r.skip(8);
    } else if (op >= 0x45 && op <= 0xc4) {
      // numeric and sign-extension operators: no immediates
    } else if (op === 0xd0) {
      r.skipLeb(); // ref.null heap type
    } else if (op === 0xd1 || op === 0xd3 || op === 0xd5) {
      // ref.is_null, ref.as_non_null, ref.eq
    } else if (op === 0xd2 || op === 0xd4 || op === 0xd6) {
      r.u32(); // ref.func, br_on_null, br_on_non_null
    } else if (op === 0xfc) {
      skipMiscImmediates(r, r.u32());
    } else if (op === 0xfd) {
      const sub = r.u32();
      skipSimdImmediates(r, sub);
      simd.set(sub, (simd.get(sub) ?? 0) + 1);
      found++;
    } else if (op === 0xfe) {
      const sub = r.u32();
      if (sub === 0x03) r.skip(1); // atomic.fence
      else skipMemarg(r);
    } else {
      throw new Error(`unsupported opcode 0x${op.toString(16)} at byte ${r.pos - 1}`);
    }
  }
  throw new Error(`function body at byte ${r.end} has no final end`);
}

/** Decodes a module; returns function counts, simd opcode counts and the target_features section. */
export function analyze(bytes) {
  if (!WebAssembly.validate(bytes)) throw new Error('not a valid WebAssembly module');
  const r = new Reader(bytes);
  r.skip(8); // magic + version, checked by validate
  const simd = new Map();
  const features = [];
  let declared = 0;
  let functions = 0;
  let withSimd = 0;
  let sawCode = false;
  while (r.pos < r.end) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    const s = new Reader(bytes, r.pos, end);
    if (id === FUNCTION_SECTION) declared = s.u32();
    else if (id === CODE_SECTION) {
      sawCode = true;
      functions = s.u32();
      for (let i = 0; i < functions; i++) {
        const bodySize = s.u32();
        const body = new Reader(bytes, s.pos, s.pos + bodySize);
        if (decodeBody(body, simd) > 0) withSimd++;
        s.skip(bodySize);
      }
      if (s.pos !== end) throw new Error('code section has bytes after its last function body');
    } else if (id === CUSTOM_SECTION && s.name() === 'target_features') {
      const n = s.u32();
      for (let i = 0; i < n; i++) features.push(String.fromCharCode(s.byte()) + s.name());
    }
    r.pos = end;
  }
  if (!sawCode) throw new Error('module has no code section');
  if (functions !== declared) throw new Error(`code section has ${functions} bodies for ${declared} functions`);
  return { functions, withSimd, simd, features };
}

/** Names of the simd opcodes most likely to show up, for a readable summary. */
const SIMD_NAMES = {
  0: 'v128.load', 11: 'v128.store', 12: 'v128.const', 13: 'i8x16.shuffle', 14: 'i8x16.swizzle',
  15: 'i8x16.splat', 16: 'i16x8.splat', 17: 'i32x4.splat', 18: 'i64x2.splat', 19: 'f32x4.splat', 20: 'f64x2.splat',
  27: 'i32x4.extract_lane', 28: 'i32x4.replace_lane', 29: 'i64x2.extract_lane', 30: 'i64x2.replace_lane',
  33: 'f64x2.extract_lane', 34: 'f64x2.replace_lane', 35: 'i8x16.eq', 55: 'i32x4.eq', 77: 'v128.not', 78: 'v128.and',
  80: 'v128.or', 81: 'v128.xor', 82: 'v128.bitselect', 83: 'v128.any_true', 92: 'v128.load32_zero',
  93: 'v128.load64_zero', 99: 'i8x16.all_true', 100: 'i8x16.bitmask', 174: 'i32x4.add', 206: 'i64x2.add',
  214: 'i64x2.eq', 240: 'f64x2.add',
};

function main() {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node scripts/wasm-simd.mjs <file.wasm>');
    process.exit(2);
  }
  let result;
  try {
    result = analyze(readFileSync(file));
  } catch (err) {
    console.error(`wasm-simd: ${file}: ${err.message}`);
    process.exit(1);
  }
  const { functions, withSimd, simd, features } = result;
  const total = [...simd.values()].reduce((a, b) => a + b, 0);
  const top = [...simd.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([op, n]) => `${SIMD_NAMES[op] ?? `0xfd ${op}`} x${n}`)
    .join(', ');
  console.log(`wasm-simd: ${file}: ${functions} functions, ${withSimd} use simd128, ${total} simd instructions`
    + ` (${simd.size} distinct${top ? `; top: ${top}` : ''}); target_features: ${features.join(' ') || 'none'}`);
  if (total === 0) {
    console.error(`wasm-simd: ${file} contains no simd128 instructions`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
