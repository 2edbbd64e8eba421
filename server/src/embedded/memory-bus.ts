// The embedded bus: synchronous in-process delivery with NATS subject rules.
import type { Bus, BusHandler } from '../deps.ts';

/** Whether a NATS-style `pattern` (`*` one token, trailing `>` the rest) matches `subject`. */
export function subjectMatches(pattern: string, subject: string): boolean {
  return tokensMatch(pattern.split('.'), subject.split('.'));
}

/** subjectMatches() over subjects already split into tokens. */
function tokensMatch(p: readonly string[], s: readonly string[]): boolean {
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return i === p.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** An in-process bus; a throwing handler is reported to `onError` and does not stop the others. */
export function createMemoryBus(onError: (err: unknown, subject: string) => void = () => {}): Bus {
  // Patterns are split once, when subscribed; a published subject once per publish.
  const subs = new Set<{ tokens: string[]; handler: BusHandler }>();
  let closed = false;
  return {
    kind: 'memory',
    publish(subject, message) {
      if (closed || subs.size === 0) return;
      const tokens = subject.split('.');
      for (const sub of subs) {
        if (!tokensMatch(sub.tokens, tokens)) continue;
        try {
          sub.handler(subject, message);
        } catch (err) {
          onError(err, subject);
        }
      }
    },
    subscribe(pattern, handler) {
      const sub = { tokens: pattern.split('.'), handler };
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
