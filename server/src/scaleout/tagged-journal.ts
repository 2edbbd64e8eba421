// The worker's engine journal, with the position of the command that wrote
// each line. A worker runs one stored command at a time; before each step of
// it, it arms a mark (subject, stream sequence, step), and every journal line
// appended while the mark is armed carries it. The mark is thus durable in
// the same JetStream publish as the effects it vouches for: after a crash the
// worker reads the highest mark per subject back (from the lines still held,
// and from the database for lines already released) and skips the commands
// and steps at or below it when JetStream redelivers them. Nothing is applied
// twice and nothing acknowledged is skipped.
import type { SqlDatabase } from '../deps.ts';
import type { CommandJournal, JournalLine } from '../venue/journal.ts';

/** How far one command subject has been applied: its stream sequence and the last step of that command. */
export interface Mark {
  seq: number;
  step: number;
}

/** venue_meta key of the marks the database reflects (lines up to the released one). */
const MARKS_KEY = 'scaleout_marks';

const after = (a: Mark | undefined, b: Mark): boolean => a === undefined || b.seq > a.seq || (b.seq === a.seq && b.step > a.step);

/** A CommandJournal that tags lines with the armed mark, and remembers the highest mark per subject. */
export class TaggedJournal implements CommandJournal {
  readonly kind: string;
  private armed: { subject: string; mark: Mark } | undefined;
  /** Highest mark per subject among durable lines. */
  private readonly marks = new Map<string, Mark>();
  /** Marks per journal line not yet released (line number → subject → mark). */
  private readonly pending: { line: number; subject: string; mark: Mark }[] = [];
  private saving: Promise<void> = Promise.resolve();
  private held: JournalLine[] = [];

  private constructor(
    private readonly inner: CommandJournal,
    private readonly db: SqlDatabase,
  ) {
    this.kind = `${inner.kind}+marks`;
  }

  /** Wraps `inner`, reading the marks the database and the held lines record. */
  static async open(inner: CommandJournal, db: SqlDatabase): Promise<TaggedJournal> {
    const j = new TaggedJournal(inner, db);
    const [row] = await db.query<{ value: string }>('SELECT value FROM venue_meta WHERE key = $1', [MARKS_KEY]);
    if (row) for (const [subject, mark] of Object.entries(JSON.parse(row.value) as Record<string, Mark>)) j.marks.set(subject, mark);
    j.held = inner.read();
    for (const l of j.held) {
      const x = (l as { x?: [string, number, number] }).x;
      if (x === undefined) continue;
      const mark = { seq: x[1], step: x[2] };
      j.pending.push({ line: l.n, subject: x[0], mark });
      if (after(j.marks.get(x[0]), mark)) j.marks.set(x[0], mark);
    }
    return j;
  }

  /** The highest durable mark of `subject`. */
  mark(subject: string): Mark | undefined {
    return this.marks.get(subject);
  }

  /** Tags the lines appended from now on with `subject`'s `mark` (until disarm). */
  arm(subject: string, mark: Mark): void {
    this.armed = { subject, mark };
  }

  disarm(): void {
    this.armed = undefined;
  }

  read(): JournalLine[] {
    return this.held.splice(0);
  }

  async append(firstLine: number, text: string): Promise<void> {
    const armed = this.armed;
    if (armed === undefined) return this.inner.append(firstLine, text);
    const tag = `{"x":${JSON.stringify([armed.subject, armed.mark.seq, armed.mark.step])},`;
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const tagged = lines.map((l) => tag + l.slice(1)).join('\n') + '\n';
    await this.inner.append(firstLine, tagged);
    this.pending.push({ line: firstLine + lines.length - 1, subject: armed.subject, mark: armed.mark });
    if (after(this.marks.get(armed.subject), armed.mark)) this.marks.set(armed.subject, armed.mark);
  }

  /** Lines up to `line` are in the database: store the marks they carry there first, then let the inner journal drop them. */
  release(line: number): void {
    const covered = new Map<string, Mark>();
    while (this.pending.length > 0 && this.pending[0].line <= line) {
      const p = this.pending.shift()!;
      if (after(covered.get(p.subject), p.mark)) covered.set(p.subject, p.mark);
    }
    if (covered.size === 0) {
      this.inner.release(line);
      return;
    }
    this.saving = this.saving.then(async () => {
      const [row] = await this.db.query<{ value: string }>('SELECT value FROM venue_meta WHERE key = $1', [MARKS_KEY]);
      const stored = row ? (JSON.parse(row.value) as Record<string, Mark>) : {};
      for (const [subject, mark] of covered) if (after(stored[subject], mark)) stored[subject] = mark;
      await this.db.query(
        `INSERT INTO venue_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [MARKS_KEY, JSON.stringify(stored)],
      );
      // Only now may the lines go: until then they are where the marks are read from.
      this.inner.release(line);
    }).catch(() => {
      // The lines stay held (and carry their marks); the next release stores them again.
      for (const [subject, mark] of covered) this.pending.unshift({ line, subject, mark });
    });
  }

  async close(): Promise<void> {
    await this.saving;
    await this.inner.close();
  }
}
