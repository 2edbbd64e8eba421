//! Data errors that point at the bad spot: file, 1-based line and column, and the field.

/** A bad row in a data file. Loaders throw it before returning anything, so nothing is half-loaded. */
export class DataError extends Error {
  override name = 'DataError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${field}: ${reason}`);
  }
}
