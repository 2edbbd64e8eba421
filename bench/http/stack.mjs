// The production-stack part of `npm run bench:http` (imported by bench/http.mjs): durable order
// placement through HTTP on the real services of this machine, in the same run as the embedded venue.
//   - PostgreSQL + NATS (+ Redis): `cift serve` with DATABASE_URL, NATS_URL and REDIS_URL; an order is
//     acknowledged once its journal lines are acked by JetStream (pipelined publishes with Nats-Msg-Id),
//     the PostgreSQL rows are projected off the request path as the journal's durable consumer delivers
//     the lines, and the market events go to the events stream for the ClickHouse projector.
//   - PostgreSQL alone (+ Redis): no journal; an order is acknowledged once the transaction holding its
//     rows commits (group commit: the requests waiting together share one transaction).
// Each variant gets a scratch database, stream names and key prefixes of its own, removed afterwards.
// The URLs default to the local services; override with BENCH_DATABASE_URL, BENCH_NATS_URL, BENCH_REDIS_URL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { Redis } from 'ioredis';
import { connect } from 'nats';
import pg from 'pg';

const LOCAL = {
  postgres: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  nats: process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222',
  redis: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

async function admin(fn) {
  const c = new pg.Client({ connectionString: LOCAL.postgres });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** One variant's services: a scratch database, prefixes, and how to remove them. */
async function scratch(withNats) {
  const tok = randomBytes(5).toString('hex');
  const db = `cift_bench_${tok}`;
  await admin((c) => c.query(`CREATE DATABASE ${db}`));
  const url = new URL(LOCAL.postgres);
  url.pathname = `/${db}`;
  const streamPrefix = `bench_${tok}`;
  const cachePrefix = `cift_bench_${tok}:`;
  const dataDir = mkdtempSync(join(os.tmpdir(), 'cift-bench-stack-'));
  const env = {
    DATABASE_URL: url.toString(),
    REDIS_URL: LOCAL.redis,
    CIFT_CACHE_PREFIX: cachePrefix,
    CIFT_SUBJECT_PREFIX: `cift_bench_${tok}.`,
    CIFT_DATA_DIR: dataDir,
    ...(withNats ? { NATS_URL: LOCAL.nats, CIFT_STREAM_PREFIX: streamPrefix } : {}),
  };
  return {
    env,
    async remove() {
      if (withNats) {
        const nc = await connect({ servers: LOCAL.nats });
        try {
          const jsm = await nc.jetstreamManager();
          const upper = streamPrefix.toUpperCase();
          // The streams, and the object store holding engine snapshots.
          for (const name of [`${upper}_COMMANDS`, `${upper}_EVENTS`, `OBJ_${streamPrefix}_snapshots`]) await jsm.streams.delete(name).catch(() => undefined);
        } finally {
          await nc.close();
        }
      }
      const r = new Redis(LOCAL.redis);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', `${cachePrefix}*`, 'COUNT', 500);
          if (keys.length > 0) await r.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        r.disconnect();
      }
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs order placement (the same requests as the embedded run) against each stack variant.
 * `h` holds bench/http.mjs's helpers: start, user, run, summary, orderRequests(url, buyer, seller), baseEnv.
 * Returns { postgres_nats, postgres } summaries, or { skipped } naming why the services could not be used.
 */
export async function benchStack(h) {
  try {
    await admin((c) => c.query('SELECT 1'));
    const nc = await connect({ servers: LOCAL.nats, timeout: 2000 });
    await (await nc.jetstreamManager()).getAccountInfo();
    await nc.close();
  } catch (err) {
    return { skipped: `the local services are not reachable: ${err.message}` };
  }
  const out = {};
  for (const [name, withNats, label] of [
    ['postgres_nats', true, 'POST /v1/orders on PostgreSQL + NATS JetStream (+ Redis)'],
    ['postgres', false, 'POST /v1/orders on PostgreSQL alone (+ Redis)'],
  ]) {
    const s = await scratch(withNats);
    let venue;
    try {
      venue = await h.start(process.execPath, ['server/bin/cift.mjs', 'serve', '--port', '0'], { ...h.baseEnv, ...s.env });
      const buyer = await h.user(venue.url, 'buyer');
      const seller = await h.user(venue.url, 'seller');
      out[name] = h.summary(await h.run(label, { url: venue.url, requests: h.orderRequests(buyer, seller) }));
    } finally {
      if (venue) {
        const exited = new Promise((r) => venue.child.once('exit', r));
        venue.child.kill('SIGTERM');
        await exited;
      }
      await s.remove();
    }
  }
  return out;
}
