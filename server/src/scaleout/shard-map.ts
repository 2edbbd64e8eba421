// The shard map: which engine worker owns which symbols, and the names every
// process of a scaled-out venue derives from one prefix (JetStream subjects
// and durable consumers, PostgreSQL schemas). Read from CIFT_SHARDS, e.g.
// "a=AAPL,MSFT;b=SPY,QQQ": shard "a" owns AAPL and MSFT, shard "b" SPY and QQQ.
import { commandSubject, jetStreamNames } from '../production/jetstream.ts';

/** One shard: a name and the symbols its worker owns. */
export interface Shard {
  name: string;
  symbols: string[];
}

/** Every shard, in the order given (the order decides each account's home shard). */
export interface ShardMap {
  shards: Shard[];
  /** The shard owning a symbol, if any. */
  shardOf(symbol: string): Shard | undefined;
  /** The shard by name, if any. */
  shard(name: string): Shard | undefined;
  /**
   * Where an account's opening cash and deposits are credited, and withdrawals
   * debited: shard number (engine_account − 1) mod N. Fixed by the account
   * number and the map, so every gateway agrees without coordination.
   */
  homeShard(engineAccount: number): Shard;
}

const SHARD_NAME = /^[a-z][a-z0-9]{0,7}$/;
const SYMBOL = /^[A-Z0-9][A-Z0-9./-]{0,15}$/;

/** Parses "name=SYM,SYM;name=SYM"; throws naming the offending part (as CIFT_SHARDS). */
export function parseShardMap(text: string, variable = 'CIFT_SHARDS'): ShardMap {
  const shards: Shard[] = [];
  const owner = new Map<string, Shard>();
  const parts = text.split(';').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error(`${variable} must name at least one shard, e.g. "a=AAPL,MSFT;b=SPY"`);
  parts.forEach((part, i) => {
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`${variable}: shard ${i + 1} ('${part}') must be name=SYMBOL,SYMBOL`);
    const name = part.slice(0, eq).trim();
    if (!SHARD_NAME.test(name)) throw new Error(`${variable}: shard name '${name}' must match [a-z][a-z0-9]{0,7}`);
    if (shards.some((s) => s.name === name)) throw new Error(`${variable}: shard '${name}' is named twice`);
    const symbols = part
      .slice(eq + 1)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (symbols.length === 0) throw new Error(`${variable}: shard '${name}' owns no symbols`);
    const shard: Shard = { name, symbols };
    for (const sym of symbols) {
      if (!SYMBOL.test(sym)) throw new Error(`${variable}: shard '${name}': '${sym}' is not a symbol (A-Z, 0-9, '.', '/' and '-', up to 16)`);
      const prior = owner.get(sym);
      if (prior) throw new Error(`${variable}: symbol ${sym} is owned by both shard '${prior.name}' and shard '${name}' (shards must be disjoint)`);
      owner.set(sym, shard);
    }
    shards.push(shard);
  });
  return {
    shards,
    shardOf: (symbol) => owner.get(symbol),
    shard: (name) => shards.find((s) => s.name === name),
    homeShard: (engineAccount) => shards[(((engineAccount - 1) % shards.length) + shards.length) % shards.length],
  };
}

/** The names a scaled-out venue with prefix `prefix` uses. */
export interface ScaleoutNames {
  prefix: string;
  /** The stream holding every shard's commands: the venue's command stream (subjects `<prefix>.cmd.>`, see jetStreamNames). */
  commandStream: string;
  /** The venue's event stream (created beside it). */
  eventStream: string;
  /** A symbol's command subject, `<prefix>.cmd.<SYMBOL>`. */
  symbolSubject(symbol: string): string;
  /** A shard's account-wide command subject ("_" never starts a symbol token, so it cannot clash with one). */
  shardSubject(shard: string): string;
  /** The durable consumer a shard's worker reads `subject` through (one filter subject each: nats-server 2.9). */
  durable(shard: string, subject: string): string;
  /** Where a gateway hears replies. */
  replySubject(gateway: string): string;
  /** Where a worker answers reads (request/reply). */
  readSubject(shard: string): string;
  /** Where a worker announces itself and its changes. */
  viewSubject(shard: string): string;
  /** The prefix of bus subjects (order updates, quotes) every process shares. */
  busPrefix: string;
  /** The PostgreSQL schema holding a shard's tables. */
  schema(shard: string): string;
  /** The JetStream prefix of a shard's engine journal. */
  journalPrefix(shard: string): string;
}

/** Names for `prefix` (lower case, as JetStream prefixes; "cift" in production, random per test run). */
export function scaleoutNames(prefix = 'cift'): ScaleoutNames {
  if (!/^[a-z][a-z0-9_]{0,19}$/.test(prefix)) throw new Error(`scale-out prefix must match [a-z][a-z0-9_]{0,19}, got '${prefix}'`);
  const js = jetStreamNames(prefix);
  const cmd = `${js.subjectRoot}.cmd.`;
  return {
    prefix,
    commandStream: js.commands,
    eventStream: js.events,
    symbolSubject: (symbol) => commandSubject(js, symbol),
    shardSubject: (shard) => `${cmd}_shard_${shard}`,
    // A durable name cannot hold '/', which symbols may ('.' is already '_' in the subject); '~' never occurs in a symbol.
    durable: (shard, subject) => `${prefix}_${shard}_${subject.slice(cmd.length).replaceAll('/', '~')}`,
    replySubject: (gateway) => `${prefix}.scaleout.reply.${gateway}`,
    readSubject: (shard) => `${prefix}.scaleout.read.${shard}`,
    viewSubject: (shard) => `${prefix}.scaleout.view.${shard}`,
    busPrefix: `${prefix}.bus.`,
    schema: (shard) => `${prefix}_shard_${shard}`,
    journalPrefix: (shard) => `${prefix}_s${shard}`,
  };
}
