// Formats the engine benchmark's results: one table (rows = runners, columns = workloads),
// the ratios, and the targets marked met / missed.

/** Runner rows in table order: key in a workload's `results`, label. */
export const ROWS = [
  ['native', 'native Rust (wire records)'],
  ['native-core', 'native Rust (Engine::execute)'],
  ['wasm-batch-node', 'WASM batch, Node'],
  ['wasm-percall-node', 'WASM per-call, Node'],
  ['wasm-batch-deno', 'WASM batch, Deno'],
  ['wasm-percall-deno', 'WASM per-call, Deno'],
  ['wasm-batch-bun', 'WASM batch, Bun'],
  ['wasm-percall-bun', 'WASM per-call, Bun'],
  ['peer-node', 'nodejs-order-book, Node'],
];

const TARGETS = { batchVsNative: 0.75, vsPeer: 50, p99Ns: 1000, riskOnOverOff: 0.9 };

function num(v, digits = 0) {
  if (v === undefined || v === null || Number.isNaN(v)) return '—';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ns(v) {
  if (v === undefined) return '—';
  return v >= 100_000 ? `${num(v / 1000)}µs` : num(v);
}

function pad(s, w, left = false) {
  s = String(s);
  return left ? s.padEnd(w) : s.padStart(w);
}

/** Ratios of the headline figures for one workload. */
export function ratios(results) {
  const tp = (k) => results[k]?.msgs_per_s;
  const r = (a, b) => (tp(a) && tp(b) ? tp(a) / tp(b) : null);
  return {
    wasm_batch_over_native: r('wasm-batch-node', 'native'),
    wasm_percall_over_native: r('wasm-percall-node', 'native'),
    wasm_batch_over_native_core: r('wasm-batch-node', 'native-core'),
    engine_wasm_batch_over_peer: r('wasm-batch-node', 'peer-node'),
    engine_wasm_percall_over_peer: r('wasm-percall-node', 'peer-node'),
    deno_batch_over_native: r('wasm-batch-deno', 'native'),
    bun_batch_over_native: r('wasm-batch-bun', 'native'),
  };
}

/** Each target, per workload: value, goal and whether it is met. */
export function targets(workloads) {
  const out = [];
  for (const w of workloads) {
    const q = w.ratios;
    const res = w.results;
    const add = (name, value, goal, met) => out.push({ workload: w.name, target: name, value, goal, met });
    add('WASM batch (Node) / native >= 0.75x', q.wasm_batch_over_native, TARGETS.batchVsNative,
      q.wasm_batch_over_native !== null && q.wasm_batch_over_native >= TARGETS.batchVsNative);
    add('engine (WASM batch, Node) / nodejs-order-book >= 50x', q.engine_wasm_batch_over_peer, TARGETS.vsPeer,
      q.engine_wasm_batch_over_peer !== null && q.engine_wasm_batch_over_peer >= TARGETS.vsPeer);
    const p99call = res['wasm-percall-node']?.lat_ns.p99;
    add('p99 <= 1 µs per message, WASM per-call from Node', p99call, TARGETS.p99Ns,
      p99call !== undefined && p99call <= TARGETS.p99Ns);
    const p99batch = res['wasm-batch-node']?.lat_ns.p99;
    add('p99 <= 1 µs per message, WASM batch from Node (amortized)', p99batch, TARGETS.p99Ns,
      p99batch !== undefined && p99batch <= TARGETS.p99Ns);
  }
  return out;
}

/** The risk target (risk-on >= 0.9x risk-off throughput: every check on vs every check off, the accounting kept
 * in both), natively and in WASM from Node. */
export function riskTargets(risk) {
  if (!risk) return [];
  return [['native', 'native'], ['wasm_node', 'WASM batch (Node)']].map(([k, label]) => ({
    workload: 'risk',
    target: `risk-on / risk-off throughput >= 0.9x, ${label}`,
    value: risk[k].on_over_off,
    goal: TARGETS.riskOnOverOff,
    met: risk[k].on_over_off >= TARGETS.riskOnOverOff,
  }));
}

/** The printable report. */
export function formatReport(report) {
  const ws = report.workloads;
  const lines = [];
  const cfg = report.config;
  lines.push(`Engine benchmark: ${num(cfg.messages)} timed messages per stream after an untimed setup, seed ${cfg.seed}, ` +
    `batch ${cfg.batch}; msgs/s and latency in ns per message`);
  const colW = 9;
  const head1 = pad('', 30, true) + ws.map((w) => ' | ' + pad(`${w.symbols} symbol${w.symbols > 1 ? 's' : ''}`, colW * 4 + 3, true)).join('');
  const head2 = pad('runner', 30, true) + ws.map(() => ' | ' + ['msgs/s', 'p50', 'p99', 'p99.9'].map((h) => pad(h, colW)).join(' ')).join('');
  lines.push(head1, head2, '-'.repeat(head2.length));
  for (const [key, label] of ROWS) {
    if (!ws.some((w) => w.results[key])) continue;
    let line = pad(label, 30, true);
    for (const w of ws) {
      const r = w.results[key];
      line += ' | ' + (r
        ? [num(r.msgs_per_s), ns(r.lat_ns.p50), ns(r.lat_ns.p99), ns(r.lat_ns.p999)].map((c) => pad(c, colW)).join(' ')
        : pad('—', colW * 4 + 3));
    }
    lines.push(line);
  }
  lines.push('');
  lines.push('Throughput: native and batch rows = messages / summed time of batches of ' + cfg.batch + ' (decode + execute +');
  lines.push('event encode; JS batch rows also copy commands in and events out); native core = Engine::execute on');
  lines.push('pre-decoded Commands; per-call rows and the peer = one timer around the whole loop. Every figure is the');
  lines.push(`median over ${cfg.rounds} rounds (each runner in its own process per round); within a round engine rows keep`);
  lines.push(`the fastest of ${cfg.repeat} throughput passes and latency percentiles come from one pass.`);
  lines.push('Latency: native = std::time::Instant around each wire-record execute (one message); native core =');
  lines.push('Instant around Engine::execute on a pre-decoded Command; per-call = performance.now() around each call');
  lines.push('(call + eventsPtr + copying its events out); batch rows = batch wall time / batch size (amortized, one');
  lines.push('sample per batch). Per-message figures include one timer pair, whose own cost (p50) is:');
  lines.push('  ' + Object.entries(report.timer_overhead_ns).map(([k, v]) => `${k} ${v.p50} ns`).join(', ') + '.');
  lines.push('');
  lines.push('Ratios (msgs/s)' + ws.map((w) => pad(`${w.symbols} sym`, 10)).join(''));
  const ratioRows = [
    ['wasm_batch_over_native', 'WASM batch (Node) / native'],
    ['wasm_percall_over_native', 'WASM per-call (Node) / native'],
    ['wasm_batch_over_native_core', 'WASM batch (Node) / native core'],
    ['deno_batch_over_native', 'WASM batch (Deno) / native'],
    ['bun_batch_over_native', 'WASM batch (Bun) / native'],
    ['engine_wasm_batch_over_peer', 'engine WASM batch / nodejs-order-book'],
    ['engine_wasm_percall_over_peer', 'engine WASM per-call / nodejs-order-book'],
  ];
  for (const [k, label] of ratioRows) {
    lines.push(pad(label, 41, true) + ws.map((w) => pad(w.ratios[k] === null ? '—' : `${num(w.ratios[k], 2)}x`, 10)).join(''));
  }
  lines.push('');
  for (const w of ws) {
    const m = w.mix;
    const pct = (v) => `${Math.round((100 * v) / w.timed)}%`;
    const peer = w.results['peer-node'];
    lines.push(`${w.name}: ${pct(m.new_resting)} new resting, ${pct(m.ioc)} IOC, ${pct(m.cancel)} cancel, ` +
      `${pct(m.replace)} replace; ${Math.round(100 * w.flow.resting_exits_cancelled)}% of resting orders leave by ` +
      `cancel; ${num(w.results.native.events)} events, ${num(w.results.native.trades)} trades`);
    if (peer) lines.push(`  nodejs-order-book skipped ${num(peer.skipped)} commands it cannot express`);
  }
  if (report.risk) {
    const r = report.risk;
    lines.push('');
    lines.push(`Risk checks on vs off (${r.workload})`);
    const heads = ['on cmds/s', 'off cmds/s', 'on/off', 'ns/check', 'unmanaged', 'on/unmgd', 'ns/check+acct'];
    lines.push(pad('', 20, true) + heads.map((h) => pad(h, 14)).join(''));
    for (const [k, label] of [['native', 'native Rust'], ['wasm_node', 'WASM batch, Node']]) {
      const x = r[k];
      lines.push(pad(label, 20, true) + [num(x.on_cmds_per_s), num(x.off_cmds_per_s), `${num(x.on_over_off, 3)}x`,
        num(x.ns_per_checked_order, 1), num(x.unmanaged_cmds_per_s), `${num(x.on_over_unmanaged, 3)}x`,
        num(x.ns_per_order_checks_and_accounting, 1)].map((c) => pad(c, 14)).join(''));
    }
    lines.push(`  ns/check = (on time - off time) / ${num(r.native.checked_orders)} checked new orders and replaces; ` +
      'ns/check+acct = (on time - unmanaged time) / the same count (the checks plus the accounting of reservations, ' +
      'fills, cash and positions); medians over the rounds.');
  }
  const bad = report.warnings.length;
  lines.push(bad === 0
    ? 'Sanity: every engine runner produced exactly native\'s event and trade counts on both streams.'
    : `Sanity: ${bad} warning(s), see the WARNING lines above.`);
  lines.push('');
  lines.push('Targets');
  for (const t of report.targets) {
    const value = t.target.includes('µs') ? `${ns(t.value)} ns` : `${num(t.value, 2)}x`;
    lines.push(`  [${t.met ? 'met   ' : 'MISSED'}] ${pad(t.workload, 7, true)} ${pad(t.target, 58, true)} ${value}`);
  }
  return lines.join('\n');
}
