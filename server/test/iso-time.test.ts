// canonicalIsoTime: the timestamps query strings may carry, and the ones that name no instant.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalIsoTime } from '../src/http/schemas.ts';

test('dates and date-times become one canonical form naming the same instant', () => {
  // input, canonical form, the instant in UTC
  const cases: [string, string, string][] = [
    ['2025-01-02', '2025-01-02T00:00:00+00:00', '2025-01-02T00:00:00.000Z'],
    ['2025-01-02T15:04:05Z', '2025-01-02T15:04:05+00:00', '2025-01-02T15:04:05.000Z'],
    ['2025-01-02t15:04:05z', '2025-01-02T15:04:05+00:00', '2025-01-02T15:04:05.000Z'],
    ['2025-01-02 15:04', '2025-01-02T15:04:00+00:00', '2025-01-02T15:04:00.000Z'],
    ['2025-01-02T15:04:05', '2025-01-02T15:04:05+00:00', '2025-01-02T15:04:05.000Z'],
    ['2025-01-02T15:04:05.123456789-05:00', '2025-01-02T15:04:05.123456789-05:00', '2025-01-02T20:04:05.123Z'],
    ['2025-01-02T15:04:05+0530', '2025-01-02T15:04:05+05:30', '2025-01-02T09:34:05.000Z'],
    ['2025-01-02T15:04:05+02', '2025-01-02T15:04:05+02:00', '2025-01-02T13:04:05.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00+00:00', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T23:59:59Z', '2000-02-29T23:59:59+00:00', '2000-02-29T23:59:59.000Z'],
    ['0001-01-01', '0001-01-01T00:00:00+00:00', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59+00:00', '9999-12-31T23:59:59.000Z'],
    ['2025-01-02T15:04:05+15:59', '2025-01-02T15:04:05+15:59', '2025-01-01T23:05:05.000Z'],
    ['2025-01-02T15:04:05-1400', '2025-01-02T15:04:05-14:00', '2025-01-03T05:04:05.000Z'],
  ];
  for (const [input, canonical, utc] of cases) {
    assert.equal(canonicalIsoTime(input), canonical, input);
    // JavaScript reads the canonical text as that instant (as PostgreSQL and ClickHouse do).
    assert.equal(new Date(Date.parse(canonical)).toISOString(), utc, input);
  }
});

test('what names no instant is refused', () => {
  for (const bad of ['2024-02-30', '2023-02-29', '1900-02-29', '0000-01-01', '2024-13-01', '2024-00-10', '2024-01-00', '2024-04-31',
    '0003-30-93', '2024-01-01 (x)', '2024-01-01T24:00:00Z', '2024-01-01T23:60:00Z', '2024-01-01T23:59:60Z', '2024-01-01T10:00:00+25:00',
    // Offsets past PostgreSQL's ±15:59 (RFC 3339 would take them; no time zone is past +14:00).
    '2024-01-01T10:00:00+16:00', '2024-01-01T10:00:00+21:37', '2024-01-01T10:00:00-23:00', '2024-01-01T10:00:00-1600',
    '2024-01-01T10:00:00+05:60', '2024-1-1', '24-01-01', 'yesterday', '', '2024-01-01T10', '2024-01-01T10:00:00.Z',
    '2024-01-01T10:00:00.1234567890Z', ' 2024-01-01', '2024-01-01\u0000', '+002024-01-01']) {
    assert.equal(canonicalIsoTime(bad), undefined, JSON.stringify(bad));
  }
});
