// Helpers for tests that talk to a real server (a process, or one listening in the test) over HTTP and WebSocket.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

/** The repository root: server processes run from there. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The server's command line on each runtime (port and data directory from the environment). */
export const RUNTIMES: Record<'node' | 'deno' | 'bun', string[]> = {
  node: [process.execPath, 'server/bin/cift.mjs', 'serve', '--port', '0'],
  deno: ['node_modules/.bin/deno', 'run', '--allow-all', 'server/src/deno.ts'],
  bun: ['node_modules/.bin/bun', 'server/src/bun.ts'],
};

/** Starts a server process on the test instruments in `dataDir`; resolves with its base URL once it listens. */
export async function startServerProcess(cmd: string[], dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(cmd[0], cmd.slice(1), {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', PORT: '0', CIFT_DATA_DIR: dataDir, CIFT_INSTRUMENTS: 'server/test/fixtures/instruments.json', CIFT_LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => (out += s));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (s: string) => {
      out += s;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`${cmd[0]} exited (${code}) before listening: ${out}`)));
  });
  return { child, url };
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Resolves with the base URL once `child` prints "listening on …"; rejects if it exits first. */
export function listeningUrl(child: ChildProcess, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (s: string) => {
      out += s;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening: ${out}`)));
  });
}

/** One JSON request; the body is parsed when there is one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function http(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** Registers `email`, logs in and returns the headers of a new read+trade API key. */
export async function apiKeyUser(url: string, email: string): Promise<Record<string, string>> {
  const creds = { email, password: 'crash test password' };
  assert.equal((await http(url, 'POST', '/v1/auth/register', {}, creds)).status, 201);
  const { token } = (await http(url, 'POST', '/v1/auth/login', {}, creds)).body;
  const key = (await http(url, 'POST', '/v1/auth/keys', { authorization: `Bearer ${token}` }, { scopes: ['read', 'trade'] })).body;
  return { 'APCA-API-KEY-ID': key.id, 'APCA-API-SECRET-KEY': key.secret };
}

/** An order as the API returns it (the fields these tests read). */
export interface OrderOut {
  id: string;
  side: string;
  status: string;
  qty: string;
  filled_qty: string;
  limit_price: string;
}

/** Every order of the key's account, oldest first, following the page tokens. */
export async function allOrders(url: string, key: Record<string, string>): Promise<OrderOut[]> {
  const out: OrderOut[] = [];
  let page = '';
  for (;;) {
    const res = await fetch(`${url}/v1/orders?status=all&limit=500&direction=asc${page}`, { headers: key });
    assert.equal(res.status, 200);
    out.push(...((await res.json()) as OrderOut[]));
    const next = res.headers.get('x-next-page-token');
    if (next === null) return out;
    page = `&page_token=${encodeURIComponent(next)}`;
  }
}

/**
 * A WebSocket client on the /v1/stream of the server at `url` (optionally
 * authenticated by `headers`), collecting every message the server sends
 * (frames are JSON arrays). `send` passes a string as it is (bad input),
 * anything else as JSON.
 */
export async function streamClient<M extends Record<string, unknown> = Record<string, unknown>>(url: string, headers?: Record<string, string>) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/stream`, { headers });
  const messages: M[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as M[];
    assert.ok(Array.isArray(frame), `a frame is a JSON array: ${String(data)}`);
    messages.push(...frame);
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  /** The first message from `from` on satisfying `pred`, waiting for it (the test's timeout bounds the wait). */
  const until = async (pred: (m: M) => boolean, from = 0): Promise<M> => {
    for (;;) {
      const found = messages.slice(from).find(pred);
      if (found) return found;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { ws, messages, until, send: (m: unknown) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)) };
}
