// One benchmark run in the current runtime (Node, Deno or Bun), printing one JSON line:
//   <runtime> bench/engine/runner.mjs --mode wasm-batch|wasm-percall|peer --file STREAM --setup N [--batch 1024]
//   [--repeat 3]  (throughput passes of the WASM modes; the fastest is kept)
import process from 'node:process';
import { loadStream, parseArgs, round, runtime, timerOverhead } from './common.mjs';
import { benchBatch, benchPerCall } from './wasm.mjs';

const args = parseArgs(process.argv.slice(2));
const records = loadStream(args.file);
const setup = Number(args.setup);
const repeat = Number(args.repeat ?? 3);
const timer = timerOverhead();
let result;
switch (args.mode) {
  case 'wasm-batch':
    result = benchBatch(records, setup, Number(args.batch ?? 1024), repeat);
    break;
  case 'wasm-percall':
    result = benchPerCall(records, setup, repeat);
    break;
  case 'peer': {
    // Imported here so Deno and Bun never need the peer package.
    const { benchPeer } = await import('./peer.mjs');
    result = benchPeer(records, setup);
    break;
  }
  default:
    throw new Error(`unknown --mode ${args.mode}`);
}
result.msgs_per_s = Math.round(result.msgs_per_s);
result.lat_ns = round(result.lat_ns);
console.log(JSON.stringify({ runtime: runtime(), mode: args.mode, timer: 'performance.now()', timer_overhead_ns: timer, ...result }));
