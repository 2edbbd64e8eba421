// The daily session close: at a configured UTC time of day (CIFT_SESSION_CLOSE,
// "20:00" by default: 16:00 in New York under daylight saving time; every day, weekends included)
// the engine's SessionEnd runs and every live DAY order expires, as
// POST /v1/admin/session_end does by hand. Driven by the venue's Clock: a
// timer is armed for the next close as the clock counts, and check() acts on
// whatever close the clock has passed, so tests move an injected clock and call
// check() instead of waiting. The last close acted on is kept in venue_meta,
// so a venue down over a close expires its DAY orders when it starts again.
import type { Clock, SqlDatabase } from '../deps.ts';
import type { Logger } from 'pino';
import type { EngineService } from './types.ts';

const DAY_MS = 86_400_000;
const META_KEY = 'session_closed_at';
const RETRY_MS = 5_000;

/** Parses "HH:MM" (UTC, 24-hour) into minutes after midnight; "off" or "none" turns the close off (null). */
export function parseSessionClose(value: string, source = 'CIFT_SESSION_CLOSE'): number | null {
  if (/^(off|none)$/i.test(value)) return null;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!m) throw new Error(`${source} must be a UTC time HH:MM (00:00-23:59) or "off", got '${value}'`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The latest close at or before `now` (ms since the epoch) for a close `minutes` after midnight UTC. */
export function latestClose(now: number, minutes: number): number {
  const today = Math.floor(now / DAY_MS) * DAY_MS + minutes * 60_000;
  return today <= now ? today : today - DAY_MS;
}

/** What the session close runs against. */
export interface SessionCloseDeps {
  db: SqlDatabase;
  engine: EngineService;
  clock: Clock;
  logger: Logger;
}

/** Expires DAY orders at each daily close. */
export class SessionClose {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<boolean> = Promise.resolve(false);
  private stopped = false;

  private constructor(
    private readonly deps: SessionCloseDeps,
    /** Minutes after midnight UTC. */
    readonly minutes: number,
    /** The last close acted on (ms since the epoch). */
    private closedAt: number,
  ) {}

  /**
   * Starts the daily close. On the first start of a data directory the latest
   * close counts as done (there are no DAY orders from before it); after that,
   * a close passed while the venue was down is acted on now.
   */
  static async start(deps: SessionCloseDeps, minutes: number): Promise<SessionClose> {
    await deps.db.query('INSERT INTO venue_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
      META_KEY,
      String(latestClose(deps.clock.now(), minutes)),
    ]);
    const [row] = await deps.db.query<{ value: string }>('SELECT value FROM venue_meta WHERE key = $1', [META_KEY]);
    const s = new SessionClose(deps, minutes, Number(row.value));
    await s.check();
    return s;
  }

  /** The next close the clock has not reached yet. */
  nextClose(): number {
    return latestClose(this.deps.clock.now(), this.minutes) + DAY_MS;
  }

  /** Ends the session if the clock has passed a close not yet acted on; re-arms the timer. True if it ended one. */
  check(): Promise<boolean> {
    this.running = this.running.then(
      () => this.run(),
      () => this.run(),
    );
    return this.running;
  }

  private async run(): Promise<boolean> {
    if (this.stopped) return false;
    const due = latestClose(this.deps.clock.now(), this.minutes);
    if (due <= this.closedAt) {
      this.arm(this.nextClose() - this.deps.clock.now());
      return false;
    }
    try {
      await this.deps.engine.endSession();
      await this.deps.db.query('UPDATE venue_meta SET value = $2 WHERE key = $1', [META_KEY, String(due)]);
    } catch (err) {
      this.arm(RETRY_MS); // the engine or database is down: try again soon rather than at the next close
      throw err;
    }
    this.closedAt = due;
    this.deps.logger.info({ close: new Date(due).toISOString() }, 'session closed: DAY orders expired');
    this.arm(this.nextClose() - this.deps.clock.now());
    return true;
  }

  private arm(waitMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.stopped) return;
    const wait = Math.max(0, waitMs);
    this.timer = setTimeout(() => {
      this.check().catch((err: unknown) => this.deps.logger.error({ err }, 'session close failed'));
    }, Math.min(wait, 2 ** 31 - 1));
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Stops the timer (on close). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running.catch(() => undefined);
  }
}
