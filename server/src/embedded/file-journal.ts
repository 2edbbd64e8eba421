// The engine service's command journal in a data directory: append-only
// segment files of JSON lines, each append durable (written O_DSYNC, the
// same as fdatasync'ed) before it resolves. An order is acknowledged once its
// line is here; the database rows derived from it are written later (see venue/service.ts). A segment is
// deleted once every line in it is reflected in the database.
import { closeSync, constants, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandJournal, JournalLine } from '../venue/journal.ts';

/** Start a new segment once the current one holds this many bytes. */
const SEGMENT_BYTES = 32 * 1024 * 1024;

/**
 * Segments are opened O_DSYNC: each write returns once its data is on disk
 * (a write and an fdatasync in one system call, so one trip through libuv's
 * thread pool per group commit instead of two).
 */
const APPEND_DURABLE = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC;

const segmentName = (firstLine: number): string => `journal-${String(firstLine).padStart(16, '0')}.jsonl`;
const SEGMENT = /^journal-(\d{16})\.jsonl$/;

interface Segment {
  file: string;
  /** Line number (`n`) of its first line. */
  first: number;
}

/**
 * Opens the journal in `dir` (created if missing). A torn last line (a crash
 * in the middle of an append, which was therefore never acknowledged) is cut off.
 */
export function openFileJournal(dir: string): CommandJournal {
  mkdirSync(dir, { recursive: true });
  const segments: Segment[] = readdirSync(dir)
    .map((f) => SEGMENT.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ file: join(dir, m[0]), first: Number(m[1]) }))
    .sort((a, b) => a.first - b.first);
  const lines: JournalLine[] = [];
  for (const seg of segments) {
    const text = readFileSync(seg.file, 'utf8');
    let good = 0;
    for (let at = 0; at < text.length; ) {
      const end = text.indexOf('\n', at);
      if (end < 0) break;
      let line: JournalLine;
      try {
        line = JSON.parse(text.slice(at, end)) as JournalLine;
      } catch {
        break;
      }
      lines.push(line);
      at = end + 1;
      good = Buffer.byteLength(text.slice(0, at));
    }
    if (good < Buffer.byteLength(text)) {
      if (seg !== segments[segments.length - 1]) throw new Error(`journal segment ${seg.file} is damaged before its end`);
      const fd = openSync(seg.file, 'r+');
      ftruncateSync(fd, good);
      fdatasyncSync(fd);
      closeSync(fd);
    }
  }
  let current: { handle: FileHandle; seg: Segment; bytes: number } | undefined;
  let released = 0;

  async function target(firstLine: number, bytes: number): Promise<{ handle: FileHandle; seg: Segment; bytes: number }> {
    if (current && current.bytes + bytes <= SEGMENT_BYTES) return current;
    if (current) {
      if (current.bytes === 0) return current;
      await current.handle.close();
    }
    const last = segments[segments.length - 1];
    // Reopen the newest segment after a restart unless it is full.
    if (!current && last) {
      const handle = await open(last.file, APPEND_DURABLE);
      const size = (await handle.stat()).size;
      if (size + bytes <= SEGMENT_BYTES) return (current = { handle, seg: last, bytes: size });
      await handle.close();
    }
    const seg = { file: join(dir, segmentName(firstLine)), first: firstLine };
    const handle = await open(seg.file, APPEND_DURABLE);
    segments.push(seg);
    return (current = { handle, seg, bytes: 0 });
  }

  return {
    kind: 'file',
    read: () => lines.splice(0),
    async append(firstLine, text) {
      const bytes = Buffer.byteLength(text);
      const cur = await target(firstLine, bytes);
      const before = cur.bytes;
      try {
        // One write of the whole group: durable when it returns (O_DSYNC).
        await cur.handle.write(text);
        cur.bytes += bytes;
      } catch (err) {
        // Take back a partial append so a rebuild never sees what was not acknowledged.
        await cur.handle.truncate(before).catch(() => {});
        throw err;
      }
    },
    release(line) {
      if (line <= released) return;
      released = line;
      // A segment is done when the next one starts at or before the first unreleased line.
      while (segments.length > 1 && segments[1].first <= line + 1 && segments[0] !== current?.seg) {
        rmSync(segments.shift()!.file, { force: true });
      }
    },
    async close() {
      await current?.handle.close();
      current = undefined;
    },
  };
}
