// decimalOfNumber: a JSON number in a decimal field is read as the shortest decimal text that reads back as it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decimalOfNumber } from '../src/http/schemas.ts';

test('a JSON number becomes its shortest decimal text, without an exponent or binary noise digits', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [0.1, '0.1'],
    [123.456, '123.456'],
    [1e-6, '0.000001'],
    [1e-7, '0.0000001'],
    [1.5e-7, '0.00000015'],
    [-2.5e-8, '-0.000000025'],
    [1e20, '100000000000000000000'],
    [1e21, '1000000000000000000000'],
    [1.2345e21, '1234500000000000000000'],
    [5e-324, `0.${'0'.repeat(323)}5`],
  ];
  for (const [n, text] of cases) {
    assert.equal(decimalOfNumber(n), text, String(n));
    assert.equal(Number(text), n, text);
  }
});
