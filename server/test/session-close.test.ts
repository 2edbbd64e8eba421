// The daily session close expires DAY orders, driven by the venue's (here
// injected) clock: check() acts on a close the clock has passed, once; a venue
// started after a close it missed acts on it at start.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveOptionsFromEnv } from '../src/serve-options.ts';
import { latestClose, parseSessionClose } from '../src/venue/session-close.ts';
import { call, newUser, TestClock, testVenue, type TestUser, type TestVenue } from './helpers.ts';

const HOUR = 3_600_000;
const place = (t: TestVenue, u: TestUser, time_in_force: string) =>
  call(t.app, 'POST', '/v1/orders', { headers: u.key, body: { symbol: 'AAPL', side: 'buy', type: 'limit', time_in_force, qty: '1', limit_price: '50' } });
const statusOf = async (t: TestVenue, u: TestUser, id: string): Promise<string> => (await call(t.app, 'GET', `/v1/orders/${id}`, { headers: u.key })).body.status;

test('parseSessionClose reads HH:MM UTC or off, and names the setting when wrong', () => {
  assert.equal(parseSessionClose('20:00'), 1200);
  assert.equal(parseSessionClose('00:05'), 5);
  assert.equal(parseSessionClose('off'), null);
  assert.throws(() => parseSessionClose('24:00'), /CIFT_SESSION_CLOSE must be a UTC time HH:MM/);
  assert.throws(() => parseSessionClose('8pm'), /got '8pm'/);
  assert.throws(() => serveOptionsFromEnv({ CIFT_SESSION_CLOSE: '20:60' }), /CIFT_SESSION_CLOSE/);
  assert.equal(serveOptionsFromEnv({ CIFT_SESSION_CLOSE: '21:30' }).venue.sessionClose, '21:30');
  assert.equal(latestClose(Date.UTC(2025, 0, 2, 19, 59), 1200), Date.UTC(2025, 0, 1, 20, 0));
  assert.equal(latestClose(Date.UTC(2025, 0, 2, 20, 0), 1200), Date.UTC(2025, 0, 2, 20, 0));
});

test('at the configured close DAY orders expire once; GTC orders and later DAY orders stay', async () => {
  const clock = new TestClock(Date.UTC(2025, 0, 2, 15, 0, 0));
  const t = await testVenue({ clock, sessionClose: '20:00' });
  try {
    const session = t.venue.session!;
    assert.equal(session.nextClose(), Date.UTC(2025, 0, 2, 20, 0, 0));
    const u = await newUser(t);
    const day = await place(t, u, 'day');
    const gtc = await place(t, u, 'gtc');
    assert.equal(day.status, 200);
    assert.equal(await session.check(), false);
    clock.ms = Date.UTC(2025, 0, 2, 19, 59, 59, 999);
    assert.equal(await session.check(), false);
    assert.equal(await statusOf(t, u, day.body.id), 'new');

    clock.ms = Date.UTC(2025, 0, 2, 20, 0, 0);
    assert.equal(await session.check(), true);
    assert.equal(await statusOf(t, u, day.body.id), 'expired');
    assert.equal(await statusOf(t, u, gtc.body.id), 'new');
    assert.equal(session.nextClose(), Date.UTC(2025, 0, 3, 20, 0, 0));

    // Placed after the close: lives until the next one.
    clock.ms = Date.UTC(2025, 0, 2, 20, 30);
    assert.equal(await session.check(), false);
    const late = await place(t, u, 'day');
    clock.advance(HOUR);
    assert.equal(await session.check(), false);
    assert.equal(await statusOf(t, u, late.body.id), 'new');
    clock.ms = Date.UTC(2025, 0, 3, 20, 0, 1);
    assert.equal(await session.check(), true);
    assert.equal(await statusOf(t, u, late.body.id), 'expired');
    assert.equal(await statusOf(t, u, gtc.body.id), 'new');
  } finally {
    await t.close();
  }
});

test('a venue down over a close expires its DAY orders when it starts again', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cift-session-close-'));
  const clock = new TestClock(Date.UTC(2025, 0, 2, 15, 0, 0));
  try {
    let t = await testVenue({ dataDir, clock, sessionClose: '20:00' });
    const u = await newUser(t);
    const day = await place(t, u, 'day');
    assert.equal(day.status, 200);
    await t.close();
    clock.ms = Date.UTC(2025, 0, 2, 23, 0, 0);
    t = await testVenue({ dataDir, clock, sessionClose: '20:00' });
    try {
      assert.equal(await statusOf(t, u, day.body.id), 'expired');
      assert.equal(await t.venue.session!.check(), false);
    } finally {
      await t.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('"off" runs no session close', async () => {
  const t = await testVenue({ sessionClose: 'off' });
  try {
    assert.equal(t.venue.session, undefined);
  } finally {
    await t.close();
  }
});
