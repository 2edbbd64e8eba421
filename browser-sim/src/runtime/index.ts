//! The backtest runtime's public API (DOM-free: Node, Web Workers and the CLI). The host initialises the engine
//! first (`initSync({ module: bytes })` in Node, `await init()` in a browser; both re-exported here).

export { default as initEngine, initSync as initEngineSync } from 'cift-engine';
export * from './types.ts';
export { BacktestRun, OptionError, defaultStopTrigger, instantiate, runBacktest } from './run.ts';
export { type DatasetPart, combineDatasets } from './combine.ts';
export { jsonNumber } from './result.ts';
export { type SweepAxis, type SweepExecutor, type SweepRow, inlineExecutor, parseSweepSpec, runSweep, sweepGrid, sweepRow } from './sweep.ts';
export { DataError } from './loaders/errors.ts';
export { newYorkOffset, parseTimestamp } from './loaders/dates.ts';
export { type CsvOptions, parseOhlcvCsv, parseTradeCsv } from './loaders/csv.ts';
export { parseBinanceJsonl } from './loaders/binance.ts';
export { type LobsterOptions, isLobsterMessages, parseLobster } from './loaders/lobster.ts';
export { DATA_FORMATS, type DataFormat, type LoadOptions, SAMPLES, type Sample, gunzip, loadFile, parseAlgoSeekBars, parseAlgoSeekTrades, unzip } from './loaders/samples.ts';
