// Shared test setup: an embedded venue in memory (or in a given data
// directory) with a cheap argon2 cost, and small HTTP helpers over app.request().
import { createApp, type App } from '../src/app.ts';
import { createLogger, openVenue, type Venue } from '../src/boot.ts';
import type { AppConfig, Clock } from '../src/deps.ts';
import { createUser } from '../src/routes/auth.ts';

/** A clock tests can move. */
export class TestClock implements Clock {
  constructor(public ms = Date.UTC(2025, 0, 2, 15, 0, 0)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Instruments every test venue lists. */
export const TEST_INSTRUMENTS = new URL('./fixtures/instruments.json', import.meta.url);

export interface TestVenue {
  venue: Venue;
  app: App;
  clock: TestClock;
  close(): Promise<void>;
}

/** Opens an embedded venue (in memory unless `dataDir`) and its app. */
export async function testVenue(
  opts: { dataDir?: string; clock?: TestClock; rateLimit?: number; snapshotEvery?: number; config?: Partial<AppConfig>; sessionClose?: string } = {},
): Promise<TestVenue> {
  const clock = opts.clock ?? new TestClock();
  const venue = await openVenue({
    dataDir: opts.dataDir ?? null,
    instrumentsFile: TEST_INSTRUMENTS,
    clock,
    logger: createLogger(process.env.CIFT_TEST_LOG_LEVEL ?? 'silent'),
    snapshotEvery: opts.snapshotEvery,
    sessionClose: opts.sessionClose,
    config: { argon2: { memorySize: 64, iterations: 1 }, rateLimit: opts.rateLimit ?? 0, initialCash: '100000', ...opts.config },
  });
  return { venue, app: createApp(venue.deps), clock, close: () => venue.close() };
}

/** Response status, headers and parsed JSON body (tests read bodies loosely, hence `any`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends a request with a JSON body (objects are serialized; strings are sent as is). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function call<T = any>(app: App, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await app.request(path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** A registered user with a bearer token and an API key (read+trade). */
export interface TestUser {
  email: string;
  accountId: string;
  bearer: Record<string, string>;
  key: Record<string, string>;
  keyId: string;
}

let users = 0;

/** Registers a user over HTTP, logs in, and creates an API key. */
export async function newUser(t: TestVenue, opts: { admin?: boolean } = {}): Promise<TestUser> {
  const email = `user${++users}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = 'correct horse battery';
  let accountId: string;
  if (opts.admin) {
    accountId = (await createUser(t.venue.deps, email, password, 'admin')).account.id;
  } else {
    const reg = await call(t.app, 'POST', '/v1/auth/register', { body: { email, password } });
    if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
    accountId = reg.body.account.id;
  }
  const login = await call(t.app, 'POST', '/v1/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  const bearer = { authorization: `Bearer ${login.body.token}` };
  const key = await call(t.app, 'POST', '/v1/auth/keys', { headers: bearer, body: { scopes: ['read', 'trade'] } });
  if (key.status !== 201) throw new Error(`key: ${key.status} ${JSON.stringify(key.body)}`);
  return { email, accountId, bearer, keyId: key.body.id, key: { 'APCA-API-KEY-ID': key.body.id, 'APCA-API-SECRET-KEY': key.body.secret } };
}
