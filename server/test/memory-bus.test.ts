// The embedded bus's NATS subject rules, as delivered to subscribers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryBus, subjectMatches } from '../src/embedded/memory-bus.ts';

const cases: [string, string, boolean][] = [
  ['trades.AAPL', 'trades.AAPL', true],
  ['trades.AAPL', 'trades.MSFT', false],
  ['trades.*', 'trades.AAPL', true],
  ['trades.*', 'trades', false],
  ['trades.*', 'trades.AAPL.x', false],
  ['*.AAPL', 'quotes.AAPL', true],
  ['trade_updates.>', 'trade_updates.acc-1', true],
  ['trade_updates.>', 'trade_updates.acc-1.more', true],
  ['trade_updates.>', 'trade_updates', false],
  ['>', 'anything.at.all', true],
  ['a.>.b', 'a.x.b', false],
];

test('subjectMatches: exact tokens, * for one token, a trailing > for one or more', () => {
  for (const [pattern, subject, want] of cases) assert.equal(subjectMatches(pattern, subject), want, `${pattern} ~ ${subject}`);
});

test('publish delivers to exactly the matching subscriptions, until unsubscribed', () => {
  const bus = createMemoryBus();
  const got: string[] = [];
  const offs = cases.map(([pattern]) => bus.subscribe(pattern, (subject) => got.push(`${pattern} ${subject}`)));
  for (const subject of new Set(cases.map(([, s]) => s))) bus.publish(subject, {});
  const want = [...new Set(cases.map(([, s]) => s))].flatMap((subject) =>
    cases.filter(([pattern]) => subjectMatches(pattern, subject)).map(([pattern]) => `${pattern} ${subject}`),
  );
  assert.deepEqual(got.sort(), want.sort());
  for (const off of offs) off();
  bus.publish('trades.AAPL', {});
  assert.equal(got.length, want.length);
});
