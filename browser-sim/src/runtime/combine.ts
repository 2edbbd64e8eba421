//! Multi-instrument datasets: several single-instrument datasets, each under its symbol, become one dataset whose
//! instruments share the run's one cash balance.

import type { Dataset } from './types.ts';

/** One instrument of a combined dataset: a dataset of one instrument, renamed to `symbol` when given. */
export interface DatasetPart {
  symbol?: string;
  data: Dataset;
}

/**
 * Combines single-instrument datasets into one. The replay merges every instrument's points in timestamp order; at
 * equal timestamps the order is stable: the parts in the order given, and within one instrument bars, then trades,
 * quotes, L2 diffs, L3 events (each stream in its file order). All parts must use the same timestamp unit
 * (`tsPerSecond`) and end up with distinct symbols. The first part is the default instrument of the order helpers
 * and the one buy-and-hold is measured on.
 */
export function combineDatasets(parts: readonly DatasetPart[], name?: string): Dataset {
  if (parts.length === 0) throw new RangeError('combineDatasets: no datasets to combine');
  const first = parts[0].data;
  const seen = new Set<string>();
  const instruments = parts.map(({ symbol, data }) => {
    if (data.instruments.length !== 1) {
      throw new RangeError(`combineDatasets: ${data.name} has ${data.instruments.length} instruments; each part must have one`);
    }
    if (data.tsPerSecond !== first.tsPerSecond) {
      throw new RangeError(`combineDatasets: ${data.name} counts time in 1/${data.tsPerSecond} s, ${first.name} in 1/${first.tsPerSecond} s; combine data of one time unit`);
    }
    const inst = { ...data.instruments[0], symbol: symbol ?? data.instruments[0].symbol };
    if (seen.has(inst.symbol)) throw new RangeError(`combineDatasets: symbol ${inst.symbol} appears twice (name the parts)`);
    seen.add(inst.symbol);
    return inst;
  });
  return {
    name: name ?? parts.map(({ data }, k) => `${instruments[k].symbol}=${data.name}`).join(' + '),
    tsPerSecond: first.tsPerSecond,
    instruments,
  };
}
