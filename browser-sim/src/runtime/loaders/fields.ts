//! Line and field scanning shared by the text loaders: fields with their 1-based columns, decimals with their count.

import { DataError } from './errors.ts';

/** Most decimals kept for prices and sizes (beyond: rounded), so money stays an exact integer below 2^53. */
export const MAX_PRICE_DECIMALS = 6;
export const MAX_QTY_DECIMALS = 8;

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The decimals a number's text uses (trailing zeros not counted). */
export function decimalsOf(text: string): number {
  const dot = text.indexOf('.');
  if (dot < 0 || /[eE]/.test(text)) return 0;
  let end = text.length;
  while (end > dot + 1 && text.charCodeAt(end - 1) === 48) end--;
  return end - dot - 1;
}

/** One line cut into fields, each with the column (1-based) where it starts. */
export interface Row {
  line: number;
  fields: string[];
  columns: number[];
  /** Column just past the line's end, for errors about missing fields. */
  end: number;
}

/** Splits a line on `delimiter`; double-quoted fields lose their quotes (no delimiters inside quotes expected). */
export function splitRow(text: string, line: number, delimiter: string): Row {
  const fields: string[] = [];
  const columns: number[] = [];
  let start = 0;
  for (;;) {
    const at = text.indexOf(delimiter, start);
    const raw = at < 0 ? text.slice(start) : text.slice(start, at);
    const trimmed = raw.trim();
    fields.push(trimmed.length >= 2 && trimmed[0] === '"' && trimmed.endsWith('"') ? trimmed.slice(1, -1).trim() : trimmed);
    columns.push(start + 1 + (raw.length - raw.trimStart().length));
    if (at < 0) break;
    start = at + delimiter.length;
  }
  return { line, fields, columns, end: text.length + 1 };
}

/** The delimiter a header or first row uses: comma, semicolon, tab or pipe (the most frequent). */
export function detectDelimiter(first: string): string {
  let best = ',';
  let count = 0;
  for (const d of [',', ';', '\t', '|']) {
    const n = first.split(d).length - 1;
    if (n > count) [best, count] = [d, n];
  }
  return best;
}

/** Non-empty lines that are not comments, with their 1-based line numbers. */
export function* lines(text: string): Generator<[string, number]> {
  let start = 0;
  let n = 0;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (start <= body.length) {
    let end = body.indexOf('\n', start);
    if (end < 0) end = body.length;
    n++;
    let l = body.slice(start, end);
    if (l.endsWith('\r')) l = l.slice(0, -1);
    if (l.trim() !== '' && !l.startsWith('#')) yield [l, n];
    start = end + 1;
  }
}

/** Parses a field as a number, or throws a DataError at it. */
export function num(file: string, row: Row, index: number, field: string): number {
  if (index >= row.fields.length) throw new DataError(file, row.line, row.end, field, `missing (the row has ${row.fields.length} fields)`);
  const text = row.fields[index];
  const v = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(v)) throw new DataError(file, row.line, row.columns[index], field, `not a number: '${text}'`);
  return v;
}

export function isNumeric(text: string): boolean {
  return DECIMAL.test(text.trim());
}

/** A growable Float64Array column (loaders do not know row counts up front). */
export class Column {
  private data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  last(): number {
    return this.data[this.length - 1];
  }
  /** The values, trimmed to length. */
  done(): Float64Array {
    return this.data.slice(0, this.length);
  }
}
