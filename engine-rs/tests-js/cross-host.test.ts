// Cross-host determinism: every vector replayed against the one WASM build in Node (batch and per-call), Deno, Bun
// and headless Chromium must give exactly the native engine's event stream, and the snapshot taken after the
// snapshot vector's prefix must be byte-identical to the native one. Deno, Bun and Chromium run concurrently with
// the Node tests; each host's results are compared here, in Node.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertChromium, launchChromium } from './chromium.ts';
import { replay, snapshotAfter } from './replay.mjs';
import { assertSameBytes, assertSameEvents, loadVectors, root, vectorsDir, wasmBytes } from './vectors.ts';

const MODES = ['batch', 'percall'] as const;
const vectors = loadVectors();
const tmp = mkdtempSync(join(tmpdir(), 'cift-cross-host-'));

/** A result: its raw bytes, or (from Chromium, when it matched) its length and SHA-256. */
type Result = Uint8Array | { bytes: number; sha256: string };
/** A host's results by key `<name>.<mode>` or `<name>.snapshot`. */
type Results = Map<string, Result>;
type Settled = { ok: true; results: Results; info: string } | { ok: false; error: unknown };

/** What every host must produce, by result key. */
const expected = new Map<string, Uint8Array>();
for (const v of vectors) {
  const events = new Uint8Array(v.events.buffer);
  for (const mode of MODES) expected.set(`${v.name}.${mode}`, events);
  if (v.snapshot) expected.set(`${v.name}.snapshot`, v.snapshot);
}

const digests = new Map<Uint8Array, string>();
/** SHA-256 of bytes, hex; cached, as batch and per-call share their expected bytes. */
function sha256(bytes: Uint8Array): string {
  let hex = digests.get(bytes);
  if (hex === undefined) digests.set(bytes, (hex = createHash('sha256').update(bytes).digest('hex')));
  return hex;
}

/** Runs a host to completion without ever rejecting, so a failure surfaces in that host's tests, not as a crash. */
function settle(run: Promise<{ results: Results; info: string }>): Promise<Settled> {
  return run.then(
    (r) => ({ ok: true as const, ...r }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

function runProcess(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise(out.trim()) : reject(new Error(`${cmd} exited with ${code}:\n${err}${out}`)),
    );
  });
}

/** Runs host-replay.mjs in a child runtime and collects the files it writes. */
async function childHost(name: string, argv: (outDir: string) => [string, string[]]): Promise<{ results: Results; info: string }> {
  const outDir = join(tmp, name);
  mkdirSync(outDir);
  const [cmd, args] = argv(outDir);
  const info = await runProcess(cmd, args);
  const results: Results = new Map();
  for (const key of expected.keys()) {
    const file = join(outDir, key.endsWith('.snapshot') ? `${key}.bin` : `${key}.f64`);
    if (existsSync(file)) results.set(key, readFileSync(file));
  }
  return { results, info };
}

const script = join(root, 'engine-rs/tests-js/host-replay.mjs');
const bin = (tool: string) => join(root, 'node_modules/.bin', tool);

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.html': 'text/html',
};

/** Serves pkg/, the runner modules and the vectors to the page, and receives its results by POST. */
function serve(results: Results) {
  const mounts: [string, string][] = [
    ['/pkg/', join(root, 'pkg')],
    ['/engine-rs/tests-js/', join(root, 'engine-rs/tests-js')],
    ['/vectors/', vectorsDir],
  ];
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method === 'POST' && url.startsWith('/result/')) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        results.set(url.slice('/result/'.length), new Uint8Array(Buffer.concat(chunks)));
        res.writeHead(204).end();
      });
      return;
    }
    if (url === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>cift cross-host</title>');
      return;
    }
    for (const [prefix, dir] of mounts) {
      if (!url.startsWith(prefix)) continue;
      const file = resolve(dir, url.slice(prefix.length));
      if (!file.startsWith(dir + sep) || !existsSync(file)) break;
      const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
      return;
    }
    res.writeHead(404).end();
  });
}

/**
 * Opens the page in headless Chromium, which replays every vector and returns each result's length and SHA-256;
 * the bytes of a result whose digest differs from the native one are fetched for the first-difference report.
 */
async function chromiumHost(): Promise<{ results: Results; info: string }> {
  assertChromium();
  const results: Results = new Map();
  const server = serve(results);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && errors.push(m.text()));
    await page.goto(`http://127.0.0.1:${port}/`);
    // Strings, not functions: the page must run the modules as served, not transpiled copies of test code.
    const runner = `import('/engine-rs/tests-js/browser-run.mjs')`;
    const summary = await page.evaluate<Record<string, { bytes: number; sha256: string }>>(
      `${runner}.then((m) => m.runAll('/vectors'))`,
    );
    for (const [key, digest] of Object.entries(summary)) {
      const want = expected.get(key);
      if (want && digest.bytes === want.byteLength && digest.sha256 === sha256(want)) {
        results.set(key, digest);
      } else {
        await page.evaluate(`${runner}.then((m) => m.postResult(${JSON.stringify(key)}))`);
      }
    }
    assert.deepEqual(errors, [], 'the page logged errors or warnings');
    return { results, info: `chromium ${browser.version()}: ${Object.keys(summary).length} results` };
  } finally {
    await browser.close();
    server.close();
  }
}

// Start the other hosts now, so they run while Node's own tests do.
const hosts = {
  deno: settle(
    childHost('deno', (out) => [
      bin('deno'),
      ['run', '--no-lock', `--allow-read=${root},${vectorsDir}`, `--allow-write=${out}`, script, vectorsDir, out],
    ]),
  ),
  bun: settle(childHost('bun', (out) => [bin('bun'), [script, vectorsDir, out]])),
  chromium: settle(chromiumHost()),
};

after(() => rmSync(tmp, { recursive: true, force: true }));

describe('node', () => {
  for (const v of vectors) {
    for (const mode of MODES) {
      test(`${v.name} ${mode}`, () => {
        assertSameEvents(`node ${mode} ${v.name}`, v.events, replay(wasmBytes, v.commands, mode, v.snapshot));
      });
    }
    const { prefix, snapshot } = v;
    if (prefix && snapshot) {
      test(`${v.name} snapshot bytes`, () => {
        assertSameBytes(`node snapshot after ${v.name} prefix`, snapshot, snapshotAfter(wasmBytes, prefix));
      });
    }
  }
});

for (const [host, pending] of Object.entries(hosts)) {
  describe(host, () => {
    let results: Results = new Map();
    before(async () => {
      const r = await pending;
      if (!r.ok) throw r.error;
      results = r.results;
      console.log(r.info);
    });
    for (const [key, want] of expected) {
      const [name, what] = key.split('.');
      test(what === 'snapshot' ? `${name} snapshot bytes` : `${name} ${what}`, () => {
        const got = results.get(key);
        assert.ok(got, `${host} returned no result for ${key}`);
        if (!(got instanceof Uint8Array)) {
          // Chromium's digest matched the native bytes' (a mismatch would have fetched the bytes instead).
          assert.deepEqual(got, { bytes: want.byteLength, sha256: sha256(want) }, `${host} ${key}`);
        } else if (key.endsWith('.snapshot')) {
          assertSameBytes(`${host} snapshot after the ${key} prefix`, want, got);
        } else {
          assert.equal(got.byteLength % 8, 0, `${host} ${key}: not whole f64s`);
          const events = new Float64Array(new Uint8Array(got).buffer);
          assertSameEvents(`${host} ${key}`, new Float64Array(want.buffer, want.byteOffset, want.byteLength / 8), events);
        }
      });
    }
  });
}
