// HTTP benchmark (not a test): `node bench/http.mjs [--duration 8] [--connections 32] [--order-connections 256]`.
// Starts, side by side on this machine in one run:
//   - the venue on embedded defaults (`cift serve`: PGlite in a fresh temp data directory, in-process
//     bus and cache, rate limiting on with a limit high enough not to trigger),
//   - a bare Hono app on @hono/node-server answering GET / with "hello" (the peer) and GET /framed with
//     the headers and body of one of the venue's quote responses, replayed (what the response format alone
//     costs: the security, rate-limit and request-id headers the venue must send, without any of its work),
// then drives each with autocannon, one target at a time: the bare route, latest-quote reads
// (GET /v1/market/AAPL/quote with an API key), and order placement (POST /v1/orders alternating a
// buy from one account and a sell from another at the same price, so half the orders trade:
// every request runs validate → authenticate → idempotency → risk → engine → journal append with
// fdatasync; the PGlite rows are projected from the journal, on PGlite's own thread, off the request path).
// Order placement runs with more connections (--order-connections) than the reads: an order waits for
// its group's fdatasync (milliseconds), and only many requests in flight fill a group. The bare route
// is run again with that many connections, and every ratio is to the bare run with the same connections.
// Prints req/s and p50/p99 latency with ratios to the bare route; writes bench/results/http.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { benchStack } from './http/stack.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const duration = Number(args.duration ?? 8);
const connections = Number(args.connections ?? 32);
const orderConnections = Number(args['order-connections'] ?? 256);

const BARE = `
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
const app = new Hono();
app.get('/', (c) => c.text('hello'));
// The venue's response format without the venue: the headers and body of one of its quote responses, replayed.
const framed = JSON.parse(process.env.FRAMED ?? '{"headers":{},"body":""}');
const framedHeaders = Object.entries(framed.headers);
app.get('/framed', (c) => {
  for (const [k, v] of framedHeaders) c.header(k, v);
  return c.body(framed.body, 200);
});
serve({ fetch: app.fetch, port: 0 }, (info) => console.log('listening on http://localhost:' + info.port));
`;

function start(cmd, argv, env) {
  const child = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s) => {
      out += s;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`${cmd} exited (${code}) before listening: ${out}`)));
  });
}

async function http(url, method, path, headers = {}, body) {
  const res = await fetch(url + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function user(url, name, admin) {
  const creds = { email: `${name}@bench.example`, password: 'bench password' };
  await http(url, 'POST', '/v1/auth/register', {}, creds);
  const { token } = await http(url, 'POST', '/v1/auth/login', {}, creds);
  const key = await http(url, 'POST', '/v1/auth/keys', { authorization: `Bearer ${token}` }, { scopes: ['read', 'trade'] });
  void admin;
  return { 'APCA-API-KEY-ID': key.id, 'APCA-API-SECRET-KEY': key.secret };
}

function run(name, opts) {
  const conns = opts.connections ?? connections;
  return new Promise((resolve, reject) => {
    process.stderr.write(`running ${name} for ${duration}s with ${conns} connections…\n`);
    autocannon({ duration, connections: conns, ...opts }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

function summary(r) {
  return {
    connections: r.connections,
    requests_per_sec: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    total: r.requests.total,
    non_2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

// The venue runs with the Node flags `npm start` gives it (package.json): a 32 MB semi-space, so the
// short-lived objects of requests in flight die young instead of being promoted and marked.
const VENUE_NODE_OPTIONS = '--max-semi-space-size=32';
const dataDir = mkdtempSync(join(os.tmpdir(), 'cift-bench-http-'));
const venue = await start(process.execPath, ['server/bin/cift.mjs', 'serve', '--port', '0'], {
  NODE_OPTIONS: VENUE_NODE_OPTIONS,
  CIFT_DATA_DIR: dataDir,
  CIFT_LOG_LEVEL: 'warn',
  CIFT_RATE_LIMIT: '1000000000',
  CIFT_INITIAL_CASH: '40000000',
});
let bare;
try {
  const buyer = await user(venue.url, 'buyer');
  const seller = await user(venue.url, 'seller');
  // One quote response of the venue, for the framed peer: its headers (less those Node sets per connection) and body.
  const sample = await fetch(`${venue.url}/v1/market/AAPL/quote`, { headers: buyer });
  const perConnection = new Set(['connection', 'keep-alive', 'date', 'content-length', 'transfer-encoding']);
  const framed = { headers: Object.fromEntries([...sample.headers].filter(([k]) => !perConnection.has(k))), body: await sample.text() };
  bare = await start(process.execPath, ['--input-type=module', '-e', BARE], { FRAMED: JSON.stringify(framed) });
  const order = (side) => JSON.stringify({ symbol: 'AAPL', side, type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '100' });
  const json = { 'content-type': 'application/json' };
  // Warm up every path once.
  await http(venue.url, 'GET', '/v1/market/AAPL/quote', buyer);

  const results = {};
  results.bare = summary(await run('bare Hono GET /', { url: bare.url }));
  results.bare_order_connections = summary(await run('bare Hono GET /', { url: bare.url, connections: orderConnections }));
  results.bare_framed = summary(await run('bare Hono GET /framed', { url: `${bare.url}/framed` }));
  results.quote = summary(await run('GET /v1/market/AAPL/quote', { url: `${venue.url}/v1/market/AAPL/quote`, headers: buyer }));
  results.orders = summary(
    await run('POST /v1/orders', {
      url: venue.url,
      connections: orderConnections,
      requests: [
        { method: 'POST', path: '/v1/orders', headers: { ...json, ...buyer }, body: order('buy') },
        { method: 'POST', path: '/v1/orders', headers: { ...json, ...seller }, body: order('sell') },
      ],
    }),
  );
  // ---- production stack (bench/http/stack.mjs): the same order placement on PostgreSQL + NATS, and on PostgreSQL alone ----
  const stack = await benchStack({
    start,
    user,
    run,
    summary,
    baseEnv: { NODE_OPTIONS: VENUE_NODE_OPTIONS, CIFT_LOG_LEVEL: 'warn', CIFT_RATE_LIMIT: '1000000000', CIFT_INITIAL_CASH: '40000000' },
    orderRequests: (b, s) => [
      { method: 'POST', path: '/v1/orders', headers: { ...json, ...b }, body: order('buy') },
      { method: 'POST', path: '/v1/orders', headers: { ...json, ...s }, body: order('sell') },
    ],
  });
  // ---- end production stack ----
  const acct = await http(venue.url, 'GET', '/v1/account', buyer);
  const ratio = (x, bareRun = results.bare) => Math.round((x / bareRun.requests_per_sec) * 100) / 100;
  const report = {
    date: new Date().toISOString(),
    // Load averages at the end of the run: the machine's 2 cores are shared, so numbers move with them.
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100) },
    settings: { duration_s: duration, connections, order_connections: orderConnections, store: 'PGlite (embedded, data dir, on a worker thread), orders acknowledged once journaled (O_DSYNC write)', rate_limit: 'on' },
    results,
    // Each to the bare route run with the same number of connections.
    ratios_to_bare: {
      bare_framed: ratio(results.bare_framed.requests_per_sec),
      quote: ratio(results.quote.requests_per_sec),
      orders: ratio(results.orders.requests_per_sec, results.bare_order_connections),
    },
    target: { orders_vs_bare: 0.5, met: ratio(results.orders.requests_per_sec, results.bare_order_connections) >= 0.5 },
    check: { buyer_open_orders_after: acct.open_orders },
  };
  const rows = [
    ['bare Hono GET / (peer)', results.bare, 1],
    [`bare Hono GET /framed: the venue's ${Object.keys(framed.headers).length} response headers and a quote's body, replayed`, results.bare_framed, report.ratios_to_bare.bare_framed],
    ['latest quote GET', results.quote, report.ratios_to_bare.quote],
    ['bare Hono GET / (peer)', results.bare_order_connections, 1],
    ['order placement POST', results.orders, report.ratios_to_bare.orders],
  ];
  console.log('| target | connections | req/s | p50 ms | p99 ms | non-2xx | ratio to bare |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, r, x] of rows) console.log(`| ${name} | ${r.connections} | ${r.requests_per_sec.toLocaleString('en-US')} | ${r.p50_ms} | ${r.p99_ms} | ${r.non_2xx} | ${x}× |`);
  console.log(`target: order placement ≥ 0.5× bare → ${report.ratios_to_bare.orders}× (${report.target.met ? 'met' : 'missed'})`);
  // ---- production stack: report beside the embedded order placement ----
  const vsEmbedded = (r) => Math.round((r.requests_per_sec / results.orders.requests_per_sec) * 100) / 100;
  report.stack = stack.skipped
    ? stack
    : { results: stack, ratios_to_embedded_orders: Object.fromEntries(Object.entries(stack).map(([k, r]) => [k, vsEmbedded(r)])) };
  if (stack.skipped) console.log(`production stack: skipped (${stack.skipped})`);
  else {
    console.log('\n| durable order placement | req/s | p50 ms | p99 ms | non-2xx | ratio to embedded |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, r, x] of [
      ['embedded (PGlite + file journal, fdatasync)', results.orders, 1],
      ['PostgreSQL + NATS JetStream journal', stack.postgres_nats, vsEmbedded(stack.postgres_nats)],
      ['PostgreSQL alone (commit per group)', stack.postgres, vsEmbedded(stack.postgres)],
    ])
      console.log(`| ${name} | ${r.requests_per_sec.toLocaleString('en-US')} | ${r.p50_ms} | ${r.p99_ms} | ${r.non_2xx} | ${x}× |`);
  }
  // ---- end production stack ----
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/http.json'), JSON.stringify(report, null, 2) + '\n');
} finally {
  venue.child.kill('SIGTERM');
  bare?.child.kill('SIGTERM');
  await new Promise((r) => venue.child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
