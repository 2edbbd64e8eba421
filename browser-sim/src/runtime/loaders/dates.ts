//! Timestamp parsing for data files: ISO dates and datetimes, yyyymmdd, `yyyymmdd HH:MM[:SS]`, epoch seconds or ms.
//! Dates and datetimes without a zone are UTC. Returns ms since 1970, or NaN when the text is none of these.

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:[ T](\d{2}):?(\d{2})(?::?(\d{2}))?)?$/;
const SLASHED = /^(\d{4})\/(\d{2})\/(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/;
// 9–10 digits: seconds since 1970; 11–13: milliseconds (8 digits are yyyymmdd).
const EPOCH = /^(\d{9,13})(\.\d+)?$/;

function utc(y: string, mo: string, d: string, h = '0', mi = '0', s = '0', frac = ''): number {
  const [Y, M, D, H, I, S] = [y, mo, d, h, mi, s].map(Number);
  if (M < 1 || M > 12 || D < 1 || D > 31 || H > 23 || I > 59 || S > 60) return NaN;
  const t = Date.UTC(Y, M - 1, D, H, I, S) + (frac ? Math.round(Number(frac) * 1000) : 0);
  // Date.UTC rolls 31 February into March: refuse dates that do not exist.
  return new Date(t).getUTCDate() === D ? t : NaN;
}

/** ms since 1970 from one timestamp field, NaN when it is not a recognised format. */
export function parseTimestamp(text: string): number {
  const s = text.trim();
  let m = ISO.exec(s);
  if (m) {
    const t = utc(m[1], m[2], m[3], m[4], m[5], m[6], m[7]);
    if (!m[8] || m[8] === 'Z') return t;
    const sign = m[8][0] === '-' ? -1 : 1;
    const z = m[8].slice(1).replace(':', '');
    return t - sign * (Number(z.slice(0, 2)) * 60 + Number(z.slice(2, 4))) * 60_000;
  }
  m = EPOCH.exec(s);
  if (m) {
    const n = Number(s);
    return m[1].length >= 11 ? Math.round(n) : Math.round(n * 1000);
  }
  m = COMPACT.exec(s) ?? SLASHED.exec(s);
  if (m) return utc(m[1], m[2], m[3], m[4], m[5], m[6]);
  return NaN;
}

/** Offset of America/New_York from UTC at `utcMs`, in ms (−4 h in summer, −5 h in winter). */
export function newYorkOffset(utcMs: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'shortOffset' })
    .formatToParts(new Date(utcMs))
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-]\d+)(?::(\d+))?/.exec(name ?? '');
  return m ? (Number(m[1]) * 60 + Math.sign(Number(m[1])) * Number(m[2] ?? 0)) * 60_000 : 0;
}
