// The Chromium side of the backtest benchmark: the same workloads as Node, run in the page, results on window.
import { initEngine, loadFile } from '../../browser-sim/src/runtime/index.ts';
import { benchBars, benchL2, benchL3, syntheticBars, syntheticL3 } from './core.ts';

declare global {
  interface Window {
    runBench(bars: number, repeat: number, l3: number): Promise<unknown>;
  }
}

window.runBench = async (bars: number, repeat: number, l3: number) => {
  await initEngine({ module_or_path: '/pkg/cift_engine_bg.wasm' });
  const l2Bytes = new Uint8Array(await (await fetch('/engine-rs/testdata/btcusdt-l2/binance_spot_btcusdt_20240808.gz')).arrayBuffer());
  const l2 = await loadFile('binance_spot_btcusdt_20240808.gz', l2Bytes);
  return { bars: benchBars(syntheticBars(bars), repeat), l2: benchL2(l2, repeat), l3: benchL3(syntheticL3(l3), repeat) };
};
