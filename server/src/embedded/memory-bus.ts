// The embedded bus: synchronous in-process delivery with NATS subject rules.
import type { Bus, BusHandler } from '../deps.ts';

/** Whether a NATS-style `pattern` (`*` one token, trailing `>` the rest) matches `subject`. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return i === p.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** An in-process bus; a throwing handler is reported to `onError` and does not stop the others. */
export function createMemoryBus(onError: (err: unknown, subject: string) => void = () => {}): Bus {
  const subs = new Set<{ pattern: string; handler: BusHandler }>();
  let closed = false;
  return {
    kind: 'memory',
    publish(subject, message) {
      if (closed) return;
      for (const sub of subs) {
        if (!subjectMatches(sub.pattern, subject)) continue;
        try {
          sub.handler(subject, message);
        } catch (err) {
          onError(err, subject);
        }
      }
    },
    subscribe(pattern, handler) {
      const sub = { pattern, handler };
      subs.add(sub);
      return () => {
        subs.delete(sub);
      };
    },
    async ping() {
      if (closed) throw new Error('bus closed');
    },
    async close() {
      closed = true;
      subs.clear();
    },
  };
}
