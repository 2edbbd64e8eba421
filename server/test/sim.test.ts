// /sim serves the built browser sandbox from a directory: the page, its assets with the right content types, no
// escape from the build directory, a redirect from /sim to /sim/, and a 503 naming the build command when the
// sandbox is not built. (The page itself runs in Chromium in engine-rs/tests-js/browser-sim.test.ts.)
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createRouter } from '../src/app.ts';
import { registerSimRoutes } from '../src/routes/sim.ts';

const tmp = mkdtempSync(join(tmpdir(), 'cift-sim-route-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function appOver(dir: string) {
  const app = createRouter();
  registerSimRoutes(app, dir);
  return app;
}

test('/sim serves the build: page, assets with their types, datasets; nothing outside the build', async () => {
  const dist = join(tmp, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  mkdirSync(join(dist, 'datasets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>sandbox</title>');
  writeFileSync(join(dist, 'assets/index-abc.js'), 'export {};');
  writeFileSync(join(dist, 'assets/engine-abc.wasm'), new Uint8Array([0, 97, 115, 109]));
  writeFileSync(join(dist, 'datasets/bars.csv'), 'date,open\n');
  writeFileSync(join(tmp, 'secret.txt'), 'outside the build');
  const app = appOver(dist);

  const redirect = await app.request('/sim');
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), '/sim/');
  const page = await app.request('/sim/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(page.headers.get('cache-control'), 'no-cache');
  assert.match(await page.text(), /sandbox/);
  const js = await app.request('/sim/assets/index-abc.js');
  assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
  const wasm = await app.request('/sim/assets/engine-abc.wasm');
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.deepEqual(new Uint8Array(await wasm.arrayBuffer()), new Uint8Array([0, 97, 115, 109]));
  assert.match((await app.request('/sim/datasets/bars.csv')).headers.get('content-type') ?? '', /^text\/csv/);
  for (const path of ['/sim/missing.js', '/sim/../secret.txt', '/sim/%2e%2e/secret.txt', '/sim/assets']) {
    const res = await app.request(path);
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(await res.text(), /outside the build/, path);
  }
});

test('/sim says how to build the sandbox when it is not built', async () => {
  const res = await appOver(join(tmp, 'never-built')).request('/sim/');
  assert.equal(res.status, 503);
  assert.match(await res.text(), /not built.*npm run build:sim/s);
});
