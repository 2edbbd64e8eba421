// Test setup for the production services: a scratch PostgreSQL database per
// run on the machine's server (127.0.0.1:5432, user postgres), unique Redis key
// prefixes and NATS subject prefixes (removed afterwards), a venue over them,
// and throwaway redis-server / nats-server / PostgreSQL instances on free
// ports that fault tests may stop and start.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createApp } from '../src/app.ts';
import { createLogger, openVenue } from '../src/boot.ts';
import type { ServiceOptions } from '../src/production/services.ts';
import { TEST_INSTRUMENTS, TestClock, type TestVenue } from './helpers.ts';

/** The machine's services (override with the same variables prefixed TEST_). */
export const LOCAL = {
  postgres: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  nats: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
};

/** A random lower-case token for database names, prefixes and stream names. */
export const token = (): string => randomBytes(5).toString('hex');

/** A database created for this run; drop() removes it (closing any connection left). */
export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates `cift_test_<random>` on the server at `adminUrl`. */
export async function scratchDatabase(adminUrl = LOCAL.postgres): Promise<ScratchDatabase> {
  const name = `cift_test_${token()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Deletes every key under `prefix` on the Redis at `url`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** Opens a venue (in memory unless the services say otherwise) and its app, like testVenue(). */
export async function serviceVenue(services: ServiceOptions, opts: { clock?: TestClock; rateLimit?: number; snapshotEvery?: number } = {}): Promise<TestVenue> {
  const clock = opts.clock ?? new TestClock();
  const venue = await openVenue({
    dataDir: null,
    instrumentsFile: TEST_INSTRUMENTS,
    clock,
    logger: createLogger(process.env.CIFT_TEST_LOG_LEVEL ?? 'silent'),
    snapshotEvery: opts.snapshotEvery,
    services,
    config: { argon2: { memorySize: 64, iterations: 1 }, rateLimit: opts.rateLimit ?? 0, initialCash: '100000' },
  });
  return { venue, app: createApp(venue.deps), clock, close: () => venue.close() };
}

/** Polls `check` until it returns true (every 100 ms, up to `tries` times); throws with `what` otherwise. */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Waits until something accepts connections on `port`. */
async function listening(port: number, what: string): Promise<void> {
  const { connect } = await import('node:net');
  await eventually(`${what} on port ${port}`, () =>
    new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    }),
  );
}

/** A server process the test owns: stop() kills it, start() brings it back on the same port and data. */
export interface Throwaway {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and removes its files. */
  dispose(): Promise<void>;
}

function processServer(url: (port: number) => string, command: string, args: (port: number, dir: string) => string[], what: string): () => Promise<Throwaway> {
  return async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), `cift-${what}-`));
    let child: ChildProcess | undefined;
    const t: Throwaway = {
      url: url(port),
      port,
      async start() {
        const proc = spawn(command, args(port, dir), { stdio: 'ignore' });
        child = proc;
        await new Promise<void>((resolve, reject) => {
          proc.once('spawn', resolve);
          proc.once('error', reject);
        });
        await listening(port, what);
      },
      async stop() {
        const proc = child;
        child = undefined;
        if (!proc || proc.exitCode !== null) return;
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGKILL');
        await exited;
      },
      async dispose() {
        await t.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    await t.start();
    return t;
  };
}

/** A redis-server of its own (no persistence). */
export const throwawayRedis = processServer(
  (port) => `redis://127.0.0.1:${port}`,
  'redis-server',
  (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
  'redis',
);

/** A nats-server of its own with JetStream in a temporary store directory. */
export const throwawayNats = processServer(
  (port) => `nats://127.0.0.1:${port}`,
  'nats-server',
  (port, dir) => ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir],
  'nats',
);

/**
 * A PostgreSQL cluster of its own (initdb into a temporary directory, trust
 * auth, fsync off), run by pg_ctl as the postgres user when the tests run as root.
 */
export async function throwawayPostgres(): Promise<Throwaway> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cift-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]): void => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const r = spawnSync(full[0] as string, full[1] as string[], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout || r.error?.message}`);
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const t: Throwaway = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
    },
    async stop() {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    async dispose() {
      // Already stopped is fine.
      await t.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await t.start();
  return t;
}
