// Kill -9 the embedded server in the middle of a burst of order placements
// over HTTP, start it again on the same data directory, and check that every
// acknowledged order (every 2xx answer's id) is there exactly once, and that
// the rebuilt book agrees with the stored open orders.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { allOrders, apiKeyUser, http, listeningUrl } from './process-helpers.ts';

const cli = fileURLToPath(new URL('../bin/cift.mjs', import.meta.url));

async function serve(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CIFT_DATA_DIR: dataDir, CIFT_LOG_LEVEL: 'silent', CIFT_RATE_LIMIT: '0', CIFT_INITIAL_CASH: '1000000' },
  });
  return { child, url: await listeningUrl(child, 'cift serve') };
}

const user = (url: string, name: string): Promise<Record<string, string>> => apiKeyUser(url, `${name}@crash.example`);

test('SIGKILL during a burst of orders loses no acknowledged order', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cift-crash-'));
  let server = await serve(dataDir);
  try {
    const buyer = await user(server.url, 'buyer');
    const seller = await user(server.url, 'seller');
    const acked = new Map<string, string>(); // id → who
    const total = 600;
    const killAfter = 150;
    let sent = 0;
    let killed = false;
    const worker = async (): Promise<void> => {
      while (sent < total && !killed) {
        const i = sent++;
        const side = i % 2 === 0 ? 'buy' : 'sell';
        // Prices spread over a few ticks: some orders trade, some rest.
        const body = { symbol: 'AAPL', side, type: 'limit', time_in_force: 'gtc', qty: String(1 + (i % 3)), limit_price: String(100 + ((i * 7) % 5) - 2) };
        try {
          const r = await http(server.url, 'POST', '/v1/orders', side === 'buy' ? buyer : seller, body);
          if (r.status >= 200 && r.status < 300) {
            acked.set(r.body.id, side === 'buy' ? 'buyer' : 'seller');
            if (acked.size >= killAfter && !killed) {
              killed = true;
              server.child.kill('SIGKILL');
            }
          }
        } catch {
          // The server died under this request: not acknowledged.
        }
      }
    };
    const exited = new Promise((r) => server.child.once('exit', r));
    await Promise.all(Array.from({ length: 16 }, worker));
    assert.ok(killed, 'the server was killed during the burst');
    await exited;

    server = await serve(dataDir);
    const orders = [...(await allOrders(server.url, buyer)), ...(await allOrders(server.url, seller))];
    const count = new Map<string, number>();
    for (const o of orders) count.set(o.id, (count.get(o.id) ?? 0) + 1);
    for (const id of count.keys()) assert.equal(count.get(id), 1, `order ${id} is stored once`);
    for (const id of acked.keys()) assert.equal(count.get(id), 1, `acknowledged order ${id} survived the crash`);

    // The rebuilt book is the stored open orders' remaining quantities, level by level.
    const expected = { bids: new Map<string, number>(), asks: new Map<string, number>() };
    for (const o of orders) {
      if (o.status !== 'new' && o.status !== 'partially_filled') continue;
      const side = o.side === 'buy' ? expected.bids : expected.asks;
      const price = Number(o.limit_price);
      side.set(String(price), (side.get(String(price)) ?? 0) + Number(o.qty) - Number(o.filled_qty));
    }
    const depth = (await http(server.url, 'GET', '/v1/market/AAPL/depth?levels=100', buyer)).body;
    const levels = (l: { price: string; size: string }[]): Map<string, number> => new Map(l.map((x) => [String(Number(x.price)), Number(x.size)]));
    assert.deepEqual(levels(depth.bids), expected.bids);
    assert.deepEqual(levels(depth.asks), expected.asks);
    // Fills and positions agree: the buyer's position is what it bought.
    const bought = orders.filter((o) => o.side === 'buy').reduce((s, o) => s + Number(o.filled_qty), 0);
    const sold = orders.filter((o) => o.side === 'sell').reduce((s, o) => s + Number(o.filled_qty), 0);
    assert.equal(bought, sold);
    const pos = (await http(server.url, 'GET', '/v1/positions', buyer)).body as { symbol: string; qty: string }[];
    assert.equal(Number(pos.find((p) => p.symbol === 'AAPL')?.qty ?? 0), bought);
    // And it still trades.
    const after = await http(server.url, 'POST', '/v1/orders', buyer, { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '1', limit_price: '90' });
    assert.equal(after.status, 200);
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => (server.child.exitCode === null ? server.child.once('exit', r) : r(undefined)));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
