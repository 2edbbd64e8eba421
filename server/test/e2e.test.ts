// The real server process on Node, Deno and Bun: register, get a key, place,
// replace and cancel orders over HTTP, read positions and the account.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { http, RUNTIMES, startServerProcess, stopProcess } from './process-helpers.ts';

describe('the server process', { concurrency: 3 }, () => {
  for (const [name, cmd] of Object.entries(RUNTIMES)) {
    test(`on ${name}: register, key, place, replace, cancel, positions`, { timeout: 80_000 }, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), `cift-e2e-${name}-`));
      const { child, url } = await startServerProcess(cmd, dataDir);
      try {
        const ready = await http(url, 'GET', '/ready');
        assert.equal(ready.status, 200);
        const users = [];
        for (const who of ['maker', 'taker']) {
          const creds = { email: `${who}@${name}.example`, password: 'a long password' };
          assert.equal((await http(url, 'POST', '/v1/auth/register', {}, creds)).status, 201);
          const login = await http(url, 'POST', '/v1/auth/login', {}, creds);
          assert.equal(login.status, 200);
          const key = await http(url, 'POST', '/v1/auth/keys', { authorization: `Bearer ${login.body.token}` }, { scopes: ['read', 'trade'] });
          assert.equal(key.status, 201);
          users.push({ 'APCA-API-KEY-ID': key.body.id, 'APCA-API-SECRET-KEY': key.body.secret });
        }
        const [maker, taker] = users;
        const bid = await http(url, 'POST', '/v1/orders', maker, { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force: 'gtc', qty: '10', limit_price: '99.5' });
        assert.equal(bid.status, 200, JSON.stringify(bid.body));
        const replaced = await http(url, 'PATCH', `/v1/orders/${bid.body.id}`, maker, { limit_price: '100', qty: '8' });
        assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
        assert.equal(replaced.body.replaces, bid.body.id);
        const hit = await http(url, 'POST', '/v1/orders', taker, { symbol: 'AAPL', side: 'sell', type: 'market', time_in_force: 'ioc', qty: '3' });
        assert.equal(hit.body.status, 'filled');
        assert.equal(hit.body.filled_avg_price, '100');
        const cancel = await http(url, 'DELETE', `/v1/orders/${replaced.body.id}`, maker);
        assert.equal(cancel.status, 200);
        assert.equal(cancel.body.status, 'canceled');
        assert.equal(cancel.body.filled_qty, '3');
        const pos = await http(url, 'GET', '/v1/positions/AAPL', maker);
        assert.equal(pos.body.qty, '3');
        const short = await http(url, 'GET', '/v1/positions/AAPL', taker);
        assert.equal(short.body.qty, '-3');
        const quote = await http(url, 'GET', '/v1/market/AAPL/quote', maker);
        assert.equal(quote.body.last_price, '100');
        const acct = await http(url, 'GET', '/v1/account', maker);
        assert.equal(acct.body.cash, '99700');
        // The response headers every route carries, on a success and on an error, as this runtime writes them.
        const read = await fetch(`${url}/v1/market/AAPL/quote`, { headers: { ...maker, 'x-request-id': 'e2e-read-1' } });
        assert.equal(read.status, 200);
        assert.equal(read.headers.get('x-request-id'), 'e2e-read-1');
        assert.equal(read.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(read.headers.get('strict-transport-security'), 'max-age=15552000; includeSubDomains');
        assert.equal(read.headers.get('content-type'), 'application/json');
        assert.match(read.headers.get('x-ratelimit-limit') ?? '', /^\d+$/);
        assert.match(read.headers.get('x-ratelimit-remaining') ?? '', /^\d+$/);
        await read.body?.cancel();
        const denied = await fetch(`${url}/v1/market/AAPL/quote`, { headers: { 'x-request-id': 'not a token!' } });
        assert.equal(denied.status, 401);
        const deniedId = denied.headers.get('x-request-id');
        assert.match(deniedId ?? '', /^[0-9a-f-]{36}$/);
        assert.equal(denied.headers.get('x-frame-options'), 'SAMEORIGIN');
        assert.equal(((await denied.json()) as { error: { requestId: string } }).error.requestId, deniedId);
        if (name === 'node') {
          // Refused by Node's parser before the app: still the error shape.
          const huge = await fetch(`${url}/health?pad=${'A'.repeat(17_000)}`);
          assert.equal(huge.status, 431);
          assert.equal(huge.headers.get('content-type'), 'application/json');
          assert.equal(((await huge.json()) as { error: { code: string } }).error.code, 'headers_too_large');
        }
      } finally {
        await stopProcess(child);
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
