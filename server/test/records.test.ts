// Order records: the API form built straight from the in-memory state must be
// exactly the form the stored row gives (the same JSON, byte for byte).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rowToOrder, stateToOrder, stateToRow, type OrderState } from '../src/venue/records.ts';

const base: OrderState = {
  id: '7f1c1c1e-0000-4000-8000-000000000001',
  accountId: '7f1c1c1e-0000-4000-8000-00000000000a',
  engineAccount: 3,
  engineId: 41,
  clientOrderId: 'client-1',
  requestHash: 'ab'.repeat(32),
  symbol: 'AAPL',
  scales: { price_scale: 2, qty_scale: 3 },
  side: 'buy',
  type: 'limit',
  tif: 'gtc',
  qty: 10_500n,
  filledQty: 0n,
  filledNotional: 0n,
  limitPrice: 10_050n,
  stopPrice: null,
  displayQty: null,
  postOnly: false,
  reduceOnly: false,
  expireAt: null,
  status: 'new',
  rejectReason: null,
  replaces: null,
  replacedBy: null,
  createdAt: Date.UTC(2026, 0, 2, 14, 30, 0, 123),
  updatedAt: Date.UTC(2026, 0, 2, 14, 30, 0, 123),
  filledAt: null,
  canceledAt: null,
  expiredAt: null,
  replacedAt: null,
  failedAt: null,
};

const cases: Record<string, Partial<OrderState>> = {
  'a new limit order': {},
  'partially filled at an uneven average': { status: 'partially_filled', filledQty: 3_000n, filledNotional: 301_234_567n, updatedAt: base.createdAt + 5 },
  filled: { status: 'filled', filledQty: 10_500n, filledNotional: 1_055_250_000n, filledAt: base.createdAt + 9, updatedAt: base.createdAt + 9 },
  'a stop-limit iceberg, gtd, post-only, reduce-only': {
    type: 'stop_limit',
    tif: 'gtd',
    stopPrice: 9_900n,
    displayQty: 1_000n,
    postOnly: true,
    reduceOnly: true,
    expireAt: Date.UTC(2026, 0, 3),
  },
  'a market sell, rejected': { side: 'sell', type: 'market', tif: 'ioc', limitPrice: null, status: 'rejected', rejectReason: 'insufficient_funds', failedAt: base.createdAt },
  'canceled, replaced and expired times': {
    status: 'replaced',
    replaces: 'a-previous-order',
    replacedBy: 'a-next-order',
    replacedAt: base.createdAt + 1,
    canceledAt: base.createdAt + 2,
    expiredAt: base.createdAt + 3,
  },
  'whole quantities and a zero price scale': { scales: { price_scale: 0, qty_scale: 0 }, qty: 7n, limitPrice: 100n, filledQty: 7n, filledNotional: 700n, status: 'filled' },
};

for (const [name, change] of Object.entries(cases)) {
  test(`stateToOrder is rowToOrder(stateToRow()): ${name}`, () => {
    const s = { ...base, ...change };
    const direct = stateToOrder(s);
    const viaRow = rowToOrder(stateToRow(s));
    assert.deepEqual(direct, viaRow);
    assert.equal(JSON.stringify(direct), JSON.stringify(viaRow));
  });
}
