// server/src/engine.ts loads the same pkg/ module under Node, Deno and Bun.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));
const probe = 'server/test/fixtures/engine-probe.ts';
const runtimes: Record<string, string[]> = {
  node: [process.execPath, '--import', 'tsx', probe],
  deno: ['node_modules/.bin/deno', 'run', '--allow-read', '--allow-env', probe],
  bun: ['node_modules/.bin/bun', probe],
};

for (const [name, [cmd, ...args]] of Object.entries(runtimes)) {
  test(`the engine loads and matches under ${name}`, () => {
    const out = execFileSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.deepEqual(JSON.parse(out.trim()), { liveOrders: 1, bestBid: 500 });
  });
}
