// Helpers for tests that talk to a real server process over HTTP.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';

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
