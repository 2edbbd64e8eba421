// The worker's engine journal, with the position of the command that wrote
// each line. A worker runs one stored command at a time; before each step of
// it, it arms a mark (subject, stream sequence, step), and every journal line
// appended while the mark is armed carries it. The mark is thus durable in
// the same JetStream publish as the effects it vouches for: after a crash the
// worker reads the highest mark per subject back (from the lines still held,
// and from the database for lines already released) and skips the commands
// and steps at or below it when JetStream redelivers them. Nothing is applied
// twice and nothing acknowledged is skipped.
//
// A mark may also carry a key (a transfer's id): a command stored twice under
// two stream sequences is recognised by it.
import type { SqlDatabase } from '../deps.ts';
import type { CommandJournal, JournalFollower, JournalLine } from '../venue/journal.ts';

/** How far one command subject has been applied: its stream sequence and the last step of that command. */
export interface Mark {
  seq: number;
  step: number;
}

/** venue_meta keys of what the database reflects (lines up to the released one). */
const MARKS_KEY = 'scaleout_marks';
const KEYS_KEY = 'scaleout_keys';

const after = (a: Mark | undefined, b: Mark): boolean => a === undefined || b.seq > a.seq || (b.seq === a.seq && b.step > a.step);

/** What one append carried. */
interface Tag {
  line: number;
  subject: string;
  mark: Mark;
  key?: string;
}

/** A CommandJournal that tags lines with the armed mark, and remembers the highest mark per subject and every key. */
export class TaggedJournal implements CommandJournal {
  readonly kind: string;
  private armed: Omit<Tag, 'line'> | undefined;
  /** Highest mark per subject among durable lines. */
  private readonly marks = new Map<string, Mark>();
  /** Keys of durable lines. */
  private readonly keys = new Set<string>();
  /** Tags of appends not yet released, in line order. */
  private readonly pending: Tag[] = [];
  private saving: Promise<void> = Promise.resolve();
  private held: JournalLine[] = [];

  /** The inner journal's follower, when it has one (JetStream: the projecting durable consumer). */
  readonly follow?: (delivered: (line: number) => void) => Promise<JournalFollower>;

  private constructor(
    private readonly inner: CommandJournal,
    private readonly db: SqlDatabase,
  ) {
    this.kind = `${inner.kind}+marks`;
    if (inner.follow) this.follow = (delivered) => inner.follow!(delivered);
  }

  /** Wraps `inner`, reading the marks and keys the database and the held lines record. */
  static async open(inner: CommandJournal, db: SqlDatabase): Promise<TaggedJournal> {
    const j = new TaggedJournal(inner, db);
    const stored = await j.stored();
    for (const [subject, mark] of Object.entries(stored.marks)) j.marks.set(subject, mark);
    for (const key of stored.keys) j.keys.add(key);
    j.held = inner.read();
    for (const l of j.held) {
      const x = (l as { x?: [string, number, number, string?] }).x;
      if (x !== undefined) j.remember({ line: l.n, subject: x[0], mark: { seq: x[1], step: x[2] }, key: x[3] });
    }
    return j;
  }

  private async stored(): Promise<{ marks: Record<string, Mark>; keys: string[] }> {
    const rows = await this.db.query<{ key: string; value: string }>('SELECT key, value FROM venue_meta WHERE key = ANY($1::text[])', [[MARKS_KEY, KEYS_KEY]]);
    const value = (k: string): string | undefined => rows.find((r) => r.key === k)?.value;
    return { marks: JSON.parse(value(MARKS_KEY) ?? '{}') as Record<string, Mark>, keys: JSON.parse(value(KEYS_KEY) ?? '[]') as string[] };
  }

  private remember(tag: Tag): void {
    this.pending.push(tag);
    if (after(this.marks.get(tag.subject), tag.mark)) this.marks.set(tag.subject, tag.mark);
    if (tag.key !== undefined) this.keys.add(tag.key);
  }

  /** The highest durable mark of `subject`. */
  mark(subject: string): Mark | undefined {
    return this.marks.get(subject);
  }

  /** Whether a durable line carries `key`. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Tags the lines appended from now on with `subject`'s `mark` (and `key`), until disarm. */
  arm(subject: string, mark: Mark, key?: string): void {
    this.armed = { subject, mark, key };
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
    const x = [armed.subject, armed.mark.seq, armed.mark.step, ...(armed.key === undefined ? [] : [armed.key])];
    const tag = `{"x":${JSON.stringify(x)},`;
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    await this.inner.append(firstLine, lines.map((l) => tag + l.slice(1)).join('\n') + '\n');
    this.remember({ ...armed, line: firstLine + lines.length - 1 });
  }

  /** Lines up to `line` are in the database: store the marks and keys they carry there first, then let the inner journal drop them. */
  release(line: number): void {
    const covered: Tag[] = [];
    while (this.pending.length > 0 && this.pending[0].line <= line) covered.push(this.pending.shift()!);
    if (covered.length === 0) {
      this.inner.release(line);
      return;
    }
    this.saving = this.saving
      .then(async () => {
        const { marks, keys } = await this.stored();
        const known = new Set(keys);
        for (const t of covered) {
          if (after(marks[t.subject], t.mark)) marks[t.subject] = t.mark;
          if (t.key !== undefined && !known.has(t.key)) {
            known.add(t.key);
            keys.push(t.key);
          }
        }
        await this.db.transaction(async (tx) => {
          const put = `INSERT INTO venue_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`;
          await tx.query(put, [MARKS_KEY, JSON.stringify(marks)]);
          await tx.query(put, [KEYS_KEY, JSON.stringify(keys)]);
        });
        // Only now may the lines go: until then they are where the marks are read from.
        this.inner.release(line);
      })
      .catch(() => {
        // The lines stay held (and carry their tags); the next release stores these again.
        this.pending.unshift(...covered);
      });
  }

  async close(): Promise<void> {
    await this.saving;
    await this.inner.close();
  }
}
