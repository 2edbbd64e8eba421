// The WebSocket stream on the real server process under Deno and Bun (each
// runtime's own upgrade: hono/deno, hono/bun; Node's is covered in
// stream.test.ts): connect to /v1/stream, authenticate by message (an API key,
// and a bearer token), subscribe to trade_updates and trades, place orders
// over HTTP that fill, and receive each side's fill and the public trade.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type WebSocket from 'ws';
import { http, RUNTIMES, startServerProcess, stopProcess, streamClient } from './process-helpers.ts';

describe('the WebSocket stream on the server process', { concurrency: 2 }, () => {
  for (const name of ['deno', 'bun'] as const) {
    test(`on ${name}: authenticate, subscribe trade_updates, orders that fill arrive as fill updates`, { timeout: 80_000 }, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), `cift-e2e-ws-${name}-`));
      const { child, url } = await startServerProcess(RUNTIMES[name], dataDir);
      const sockets: WebSocket[] = [];
      try {
        const users: { key: Record<string, string>; token: string }[] = [];
        for (const who of ['maker', 'taker']) {
          const creds = { email: `${who}@ws-${name}.example`, password: 'a long password' };
          assert.equal((await http(url, 'POST', '/v1/auth/register', {}, creds)).status, 201);
          const { token } = (await http(url, 'POST', '/v1/auth/login', {}, creds)).body;
          const key = await http(url, 'POST', '/v1/auth/keys', { authorization: `Bearer ${token}` }, { scopes: ['read', 'trade'] });
          assert.equal(key.status, 201);
          users.push({ key: { 'APCA-API-KEY-ID': key.body.id, 'APCA-API-SECRET-KEY': key.body.secret }, token });
        }
        const [maker, taker] = users;

        const m = await streamClient(url);
        const t = await streamClient(url);
        sockets.push(m.ws, t.ws);
        await m.until((x) => x.T === 'success' && x.msg === 'connected');
        m.send({ action: 'auth', key: maker.key['APCA-API-KEY-ID'], secret: maker.key['APCA-API-SECRET-KEY'] });
        await m.until((x) => x.T === 'success' && x.msg === 'authenticated');
        t.send({ action: 'auth', token: taker.token });
        await t.until((x) => x.T === 'success' && x.msg === 'authenticated');
        m.send({ action: 'subscribe', trade_updates: true, trades: ['AAPL'] });
        t.send({ action: 'subscribe', trade_updates: true });
        assert.deepEqual(await m.until((x) => x.T === 'subscription'), { T: 'subscription', trades: ['AAPL'], quotes: [], book: [], trade_updates: true });
        await t.until((x) => x.T === 'subscription');

        const rest = await http(url, 'POST', '/v1/orders', maker.key, { symbol: 'AAPL', side: 'sell', type: 'limit', time_in_force: 'gtc', qty: '5', limit_price: '101.5' });
        assert.equal(rest.status, 200, JSON.stringify(rest.body));
        const accepted = await m.until((x) => x.T === 'u' && x.event === 'new');
        assert.equal((accepted.order as { id: string }).id, rest.body.id);

        const hit = await http(url, 'POST', '/v1/orders', taker.key, { symbol: 'AAPL', side: 'buy', type: 'market', time_in_force: 'ioc', qty: '3' });
        assert.equal(hit.body.status, 'filled', JSON.stringify(hit.body));
        const makerFill = (await m.until((x) => x.T === 'u' && x.event === 'partial_fill')) as { order: { id: string; filled_qty: string; status: string } };
        assert.equal(makerFill.order.id, rest.body.id);
        assert.equal(makerFill.order.filled_qty, '3');
        assert.equal(makerFill.order.status, 'partially_filled');
        const takerFill = (await t.until((x) => x.T === 'u' && x.event === 'fill')) as { order: { id: string; filled_avg_price: string } };
        assert.equal(takerFill.order.id, hit.body.id);
        assert.equal(takerFill.order.filled_avg_price, '101.5');
        const trade = await m.until((x) => x.T === 't');
        assert.deepEqual([trade.S, trade.p, trade.s], ['AAPL', '101.5', '3']);

        // The rest of the resting order fills: the maker hears "fill"; neither hears the other's orders.
        const more = await http(url, 'POST', '/v1/orders', taker.key, { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'ioc', qty: '2', limit_price: '101.5' });
        assert.equal(more.body.status, 'filled');
        const done = (await m.until((x) => x.T === 'u' && x.event === 'fill')) as { order: { id: string; filled_qty: string; status: string } };
        assert.deepEqual([done.order.id, done.order.filled_qty, done.order.status], [rest.body.id, '5', 'filled']);
        await t.until((x) => x.T === 'u' && (x.order as { id: string }).id === more.body.id && x.event === 'fill');
        for (const x of m.messages.filter((y) => y.T === 'u')) assert.equal((x.order as { id: string }).id, rest.body.id);
        for (const x of t.messages.filter((y) => y.T === 'u')) assert.notEqual((x.order as { id: string }).id, rest.body.id);
      } finally {
        for (const ws of sockets) ws.close();
        await stopProcess(child);
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
