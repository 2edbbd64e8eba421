// `cift bench`: an HTTP load test of the venue with autocannon — latest-quote
// reads and order placement (a buy from one bench account, then a sell from
// another at the same price, so every other order trades) — against a running
// server (--url) or a temporary one started for the run (`cift serve` on a
// fresh data directory, no demo market, rate limits out of reach). Prints
// req/s, p50/p99 latency, non-2xx and errors per target; --json FILE also
// writes them as JSON. For the comparison with a bare Hono route and the
// production stack, `npm run bench:http` (bench/http.mjs).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type Autocannon from 'autocannon';

export const BENCH_USAGE = `Usage: cift bench [options]

Load-tests the venue's HTTP API with autocannon: latest-quote reads (GET
/v1/market/<symbol>/quote) and order placement (POST /v1/orders, a buy and a
sell at one price from two bench accounts, so every other order trades).
Without --url it starts a temporary server (cift serve on a fresh data
directory, no demo market) and stops it afterwards; with --url it registers
two bench accounts on that server (its rate limits apply: 429s are counted
as non-2xx, and the bench orders trade with whatever rests in its book).

Options:
  --url URL                 A running server (default: start a temporary one)
  --duration S              Seconds per target (default 8)
  --connections N           Connections for the quote reads (default 32)
  --order-connections N     Connections for order placement (default 64)
  --symbol SYMBOL           Instrument to quote and trade (default: the first listed)
  --json FILE               Also write the report as JSON to FILE
  -h, --help                Show this help

Exit status: 0 when the run completed, 1 when it could not (server unreachable
or failed to start, unknown symbol), 2 for bad usage.`;

/** A CLI failure with its exit status (2: usage, 1: the run failed). */
export class BenchCliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** One target's figures. */
export interface BenchResult {
  connections: number;
  requests_per_sec: number;
  p50_ms: number;
  p99_ms: number;
  total: number;
  non_2xx: number;
  errors: number;
}

/** What `cift bench` reports. */
export interface BenchReport {
  date: string;
  url: string;
  temporary_server: boolean;
  symbol: string;
  duration_s: number;
  machine: { cpus: number; node: string; loadavg: number[] };
  results: { quote: BenchResult; orders: BenchResult };
}

const CLI = fileURLToPath(new URL('../bin/cift.mjs', import.meta.url));

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100_000) throw new BenchCliError(`${name} must be a whole number from 1 to 100000, got '${value}'`, 2);
  return Number(value);
}

/** Runs `cift bench` with `argv`; resolves with the text to print. */
export async function runBenchCli(argv: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        duration: { type: 'string' },
        connections: { type: 'string' },
        'order-connections': { type: 'string' },
        symbol: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (err) {
    throw new BenchCliError((err as Error).message, 2);
  }
  const v = parsed.values;
  if (v.help) return BENCH_USAGE;
  const duration = positiveInt(v.duration, '--duration', 8);
  const connections = positiveInt(v.connections, '--connections', 32);
  const orderConnections = positiveInt(v['order-connections'], '--order-connections', 64);
  if (v.url !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(v.url)) throw new BenchCliError(`--url must be a server's base URL like http://localhost:8000, got '${v.url}'`, 2);
  if (v.json === '') throw new BenchCliError('--json needs a file name', 2);

  let autocannon: typeof Autocannon;
  try {
    autocannon = (await import('autocannon')).default;
  } catch {
    throw new BenchCliError("cift bench needs the 'autocannon' package (npm install autocannon)", 1);
  }

  const temp = v.url === undefined ? await startTemporaryServer(log) : undefined;
  const url = (v.url ?? temp!.url).replace(/\/$/, '');
  try {
    await reachable(url);
    const tag = randomBytes(4).toString('hex');
    const buyer = await benchAccount(url, `bench-buyer-${tag}@bench.example`);
    const { symbol, price, qty } = await pickInstrument(url, v.symbol, buyer);
    const seller = await benchAccount(url, `bench-seller-${tag}@bench.example`);
    const run = (name: string, opts: Parameters<typeof autocannon>[0]): Promise<BenchResult> => {
      log(`cift bench: ${name} for ${duration}s with ${opts.connections} connections…`);
      return new Promise((resolve, reject) =>
        autocannon({ duration, ...opts }, (err, r) =>
          err
            ? reject(err)
            : resolve({
                connections: r.connections,
                requests_per_sec: Math.round(r.requests.average),
                p50_ms: r.latency.p50,
                p99_ms: r.latency.p99,
                total: r.requests.total,
                non_2xx: r.non2xx,
                errors: r.errors + r.timeouts,
              }),
        ),
      );
    };
    const quote = await run(`GET /v1/market/${symbol}/quote`, { url: `${url}/v1/market/${encodeURIComponent(symbol)}/quote`, connections, headers: buyer });
    const order = (side: string) => JSON.stringify({ symbol, side, type: 'limit', time_in_force: 'gtc', qty, limit_price: price });
    const json = { 'content-type': 'application/json' };
    const orders = await run('POST /v1/orders', {
      url,
      connections: orderConnections,
      requests: [
        { method: 'POST', path: '/v1/orders', headers: { ...json, ...buyer }, body: order('buy') },
        { method: 'POST', path: '/v1/orders', headers: { ...json, ...seller }, body: order('sell') },
      ],
    });
    const report: BenchReport = {
      date: new Date().toISOString(),
      url,
      temporary_server: temp !== undefined,
      symbol,
      duration_s: duration,
      machine: { cpus: os.cpus().length, node: process.version, loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100) },
      results: { quote, orders },
    };
    if (v.json !== undefined) writeFileSync(v.json, JSON.stringify(report, null, 2) + '\n');
    return formatReport(report);
  } finally {
    if (temp) await temp.stop();
  }
}

/** The report as a Markdown table. */
export function formatReport(r: BenchReport): string {
  const rows: [string, BenchResult][] = [
    [`latest quote GET /v1/market/${r.symbol}/quote`, r.results.quote],
    [`order placement POST /v1/orders (${r.symbol})`, r.results.orders],
  ];
  return [
    `cift bench: ${r.url}${r.temporary_server ? ' (temporary server)' : ''}, ${r.duration_s} s per target, ${r.machine.cpus} CPUs, load ${r.machine.loadavg.join(' ')}`,
    '',
    '| target | connections | req/s | p50 ms | p99 ms | requests | non-2xx | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(([name, x]) => `| ${name} | ${x.connections} | ${x.requests_per_sec} | ${x.p50_ms} | ${x.p99_ms} | ${x.total} | ${x.non_2xx} | ${x.errors} |`),
  ].join('\n');
}

async function request(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text for the message
  }
  return { status: res.status, body: parsed };
}

async function reachable(url: string): Promise<void> {
  let status: number;
  try {
    status = (await request(url, 'GET', '/health')).status;
  } catch (err) {
    throw new BenchCliError(`cannot reach ${url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`, 1);
  }
  if (status !== 200) throw new BenchCliError(`${url}/health answered ${status}: is it a cift server?`, 1);
}

/** Registers an account, logs in and returns the headers of a read+trade API key. */
async function benchAccount(url: string, email: string): Promise<Record<string, string>> {
  const creds = { email, password: `bench ${randomBytes(12).toString('hex')}` };
  const fail = (step: string, r: { status: number; body: unknown }): never => {
    throw new BenchCliError(`${step} on ${url} failed: ${r.status} ${JSON.stringify(r.body)}`, 1);
  };
  const reg = await request(url, 'POST', '/v1/auth/register', {}, creds);
  if (reg.status !== 201) fail('registering a bench account', reg);
  const login = await request(url, 'POST', '/v1/auth/login', {}, creds);
  if (login.status !== 200) fail('logging in', login);
  const token = (login.body as { token: string }).token;
  const key = await request(url, 'POST', '/v1/auth/keys', { authorization: `Bearer ${token}` }, { scopes: ['read', 'trade'], label: 'cift bench' });
  if (key.status !== 201) fail('creating an API key', key);
  const k = key.body as { id: string; secret: string };
  return { 'APCA-API-KEY-ID': k.id, 'APCA-API-SECRET-KEY': k.secret };
}

/** The instrument to bench, with a price and quantity on its grid: the last price (else the lowest) and the smallest quantity. */
async function pickInstrument(url: string, wanted: string | undefined, reader: Record<string, string>): Promise<{ symbol: string; price: string; qty: string }> {
  const list = await request(url, 'GET', '/v1/instruments', reader);
  const instruments = list.body as { symbol: string; min_price: string; min_qty: string; status: string }[];
  if (list.status !== 200 || !Array.isArray(instruments)) throw new BenchCliError(`listing instruments failed: ${list.status}`, 1);
  const inst = wanted === undefined ? instruments.find((i) => i.status === 'active') : instruments.find((i) => i.symbol === wanted);
  if (!inst) {
    throw new BenchCliError(
      wanted === undefined ? `${url} lists no active instrument to bench` : `unknown symbol '${wanted}' (listed: ${instruments.map((i) => i.symbol).join(', ') || 'none'})`,
      1,
    );
  }
  const quote = await request(url, 'GET', `/v1/market/${encodeURIComponent(inst.symbol)}/quote`, reader);
  const last = (quote.body as { last_price?: string | null }).last_price;
  return { symbol: inst.symbol, price: last ?? inst.min_price, qty: inst.min_qty };
}

/** Starts `cift serve` on a fresh data directory with no demo market; resolves once it listens. */
async function startTemporaryServer(log: (line: string) => void): Promise<{ url: string; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'cift-bench-'));
  log('cift bench: starting a temporary server…');
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--no-demo'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      CIFT_DATA_DIR: dataDir,
      CIFT_LOG_LEVEL: process.env.CIFT_LOG_LEVEL ?? 'warn',
      CIFT_RATE_LIMIT: '1000000000',
      CIFT_INITIAL_CASH: '40000000',
    },
  });
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => (out += s));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (s: string) => {
        out += s;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new BenchCliError(`the temporary server exited (${code}) before listening: ${out.trim()}`, 1)));
    });
    return { url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
