// The `cift` command line, run as a child process.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const cli = fileURLToPath(new URL('../bin/cift.mjs', import.meta.url));

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { status, stdout, stderr };
}

test('--help lists the commands', () => {
  const { status, stdout } = run('--help');
  assert.equal(status, 0);
  assert.match(stdout, /Usage: cift <command>/);
  assert.match(stdout, /serve \[--port N\]/);
});

test('an unknown command is a usage error (exit 2)', () => {
  const { status, stdout, stderr } = run('frobnicate');
  assert.equal(status, 2);
  assert.equal(stdout, '');
  assert.match(stderr, /unknown command 'frobnicate'/);
});

test('no command prints the usage and exits 2', () => {
  const { status, stderr } = run();
  assert.equal(status, 2);
  assert.match(stderr, /Usage: cift/);
});

test('serve rejects a bad port with exit 2', () => {
  const { status, stderr } = run('serve', '--port', '70000');
  assert.equal(status, 2);
  assert.match(stderr, /--port must be a port number/);
});

test('serve answers /health and stops on SIGTERM', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cift-cli-'));
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CIFT_DATA_DIR: dataDir },
  });
  try {
    let output = '';
    child.stdout.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        const m = /listening on (http:\/\/\S+)/.exec(output);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`cift serve exited (${code}) before listening: ${output}`)));
    });
    const res = await fetch(`${url}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('admin helpers create an account, a key and an instrument; bad use exits 2, failures 1', { timeout: 90_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cift-admin-'));
  try {
    const help = run('admin', '--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /create-instrument/);
    const acct = run('admin', 'create-account', '--data-dir', dataDir, '--email', 'ops@example.com', '--password', 'long password', '--admin');
    assert.equal(acct.status, 0, acct.stderr);
    assert.equal(JSON.parse(acct.stdout).user.role, 'admin');
    const dup = run('admin', 'create-account', '--data-dir', dataDir, '--email', 'ops@example.com', '--password', 'long password');
    assert.equal(dup.status, 1);
    assert.match(dup.stderr, /already exists/);
    const key = run('admin', 'create-key', '--data-dir', dataDir, '--email', 'ops@example.com', '--scopes', 'read');
    assert.equal(key.status, 0, key.stderr);
    const k = JSON.parse(key.stdout);
    assert.match(k.id, /^CK/);
    assert.equal(typeof k.secret, 'string');
    assert.deepEqual(k.scopes, ['read']);
    const inst = run('admin', 'create-instrument', '--data-dir', dataDir, '--symbol', 'ETH-USD', '--tick-size', '0.01', '--lot-size', '0.001',
      '--min-price', '1', '--max-price', '100000', '--min-qty', '0.001', '--max-qty', '1000', '--price-scale', '2');
    assert.equal(inst.status, 0, inst.stderr);
    assert.equal(JSON.parse(inst.stdout).symbol, 'ETH-USD');
    const disabled = run('admin', 'disable-account', '--data-dir', dataDir, '--email', 'OPS@example.com');
    assert.equal(disabled.status, 0, disabled.stderr);
    assert.deepEqual(JSON.parse(disabled.stdout), { id: JSON.parse(acct.stdout).account.id, email: 'OPS@example.com', status: 'DISABLED', canceled_orders: [] });
    const nobody = run('admin', 'enable-account', '--data-dir', dataDir, '--email', 'nobody@example.com');
    assert.equal(nobody.status, 1);
    assert.match(nobody.stderr, /no account for nobody@example.com/);
    const missing = run('admin', 'create-key', '--data-dir', dataDir);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /needs --email/);
    assert.equal(run('admin', 'frob').status, 2);
    assert.equal(run('admin', 'create-account', '--bogus').status, 2);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('bench: --help, bad options exit 2, an unreachable --url exits 1', () => {
  const help = run('bench', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: cift bench/);
  assert.match(help.stdout, /--url URL/);
  const zero = run('bench', '--duration', '0');
  assert.equal(zero.status, 2);
  assert.match(zero.stderr, /--duration must be a whole number from 1 to 100000, got '0'/);
  const bogus = run('bench', '--bogus');
  assert.equal(bogus.status, 2);
  assert.match(bogus.stderr, /Unknown option '--bogus'/);
  assert.equal(run('bench', '--url', 'localhost:8000').status, 2);
  const down = run('bench', '--url', 'http://127.0.0.1:1', '--duration', '1');
  assert.equal(down.status, 1);
  assert.match(down.stderr, /cift bench: cannot reach http:\/\/127\.0\.0\.1:1/);
  assert.equal(down.stdout, '');
});

test('bench against a temporary server prints a table and writes the JSON report', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cift-bench-test-'));
  try {
    const file = join(dir, 'report.json');
    const { status, stdout, stderr } = spawnSync(process.execPath, [cli, 'bench', '--duration', '1', '--connections', '2', '--order-connections', '4', '--json', file], {
      encoding: 'utf8',
      env: { ...process.env, CIFT_INSTRUMENTS: fileURLToPath(new URL('./fixtures/instruments.json', import.meta.url)) },
    });
    assert.equal(status, 0, stderr);
    assert.match(stderr, /starting a temporary server/);
    assert.match(stdout, /\(temporary server\), 1 s per target/);
    assert.match(stdout, /^\| target \| connections \| req\/s \| p50 ms \| p99 ms \| requests \| non-2xx \| errors \|$/m);
    assert.match(stdout, /^\| latest quote GET \/v1\/market\/AAPL\/quote \| 2 \| \d+ \| [\d.]+ \| [\d.]+ \| \d+ \| 0 \| 0 \|$/m);
    assert.match(stdout, /^\| order placement POST \/v1\/orders \(AAPL\) \| 4 \| \d+ \| [\d.]+ \| [\d.]+ \| \d+ \| 0 \| 0 \|$/m);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(report.temporary_server, true);
    assert.equal(report.symbol, 'AAPL');
    for (const target of ['quote', 'orders']) {
      const r = report.results[target];
      assert.ok(r.total > 0, `${target} ran requests`);
      assert.equal(r.non_2xx, 0, target);
      assert.equal(r.errors, 0, target);
      for (const k of ['requests_per_sec', 'p50_ms', 'p99_ms']) assert.equal(typeof r[k], 'number', `${target}.${k}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
