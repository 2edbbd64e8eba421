// docker-compose.yml cannot run here (no Docker engine), so it is checked
// against the server instead: the services are all there with healthchecks,
// every variable given to the server is one the server reads, every URL
// points at a service of the file with its port and credentials, Prometheus
// scrapes the server's /metrics, and Grafana's provisioning and dashboards
// parse and only chart metrics the server exports.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse } from 'yaml';
import { SERVICE_URL_VARIABLES, serviceOptionsFromEnv } from '../src/production/services.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The server source scanned for what it reads and exports (TEST_SERVER_SRC checks another checkout's). */
const SRC = process.env.TEST_SERVER_SRC ?? join(ROOT, 'server/src');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Yaml = any;
const compose: Yaml = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));
const services: Record<string, Yaml> = compose.services;

/** Compose interpolation with the environment unset: `${NAME:-default}` gives the default; a bare `${NAME}` is an error. */
function interpolate(value: string, where: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
    if (fallback === undefined) throw new Error(`${where}: \${${name}} has no default`);
    return fallback;
  });
}

/** A service's environment as a map (compose allows a map or a list of NAME=value). */
function env(name: string): Record<string, string> {
  const e = services[name].environment ?? {};
  const pairs: [string, string][] = Array.isArray(e) ? e.map((s: string) => s.split(/=(.*)/s, 2) as [string, string]) : Object.entries(e).map(([k, v]) => [k, String(v)]);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v, `${name}.environment.${k}`)]));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const sources = sourceFiles(SRC).map((f) => ({ file: relative(SRC, f), text: readFileSync(f, 'utf8') }));

/** Every environment variable the server reads: `env.NAME`, `process.env.NAME`, `env['NAME']`, and names passed to configFromEnv's int(). */
const readVariables = new Set<string>(Object.keys(SERVICE_URL_VARIABLES));
for (const { text } of sources) {
  for (const m of text.matchAll(/\benv\s*(?:\.\s*([A-Z][A-Z0-9_]*)|\[\s*'([A-Z][A-Z0-9_]*)'\s*\])/g)) readVariables.add(m[1] ?? m[2]);
  for (const m of text.matchAll(/\bint\(\s*'([A-Z][A-Z0-9_]*)'/g)) readVariables.add(m[1]);
}

/** Every metric name the server exports, as Prometheus sees it (histograms as _bucket/_sum/_count). */
function exportedMetrics(): Set<string> {
  const out = new Set<string>();
  const add = (name: string, type: string): void => {
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(name + s);
    else if (type === 'summary') for (const s of ['', '_sum', '_count']) out.add(name + s);
    else out.add(name);
  };
  for (const { text } of sources) {
    for (const m of text.matchAll(/new\s+(Counter|Gauge|Histogram|Summary)\s*(?:<[^>]*>)?\(\s*\{\s*name:\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'/g)) add(m[2], m[1].toLowerCase());
    for (const m of text.matchAll(/collectDefaultMetrics\(\s*\{[^}]*prefix:\s*'([a-z_]*)'/g)) {
      const r = new Registry();
      collectDefaultMetrics({ register: r, prefix: m[1] });
      for (const metric of r.getMetricsAsArray()) add(metric.name, String((metric as unknown as { type: string }).type));
    }
  }
  return out;
}

test('the stack has every service, each with an image, and the server waits for healthy dependencies', () => {
  assert.deepEqual(Object.keys(services).sort(), ['clickhouse', 'dragonfly', 'grafana', 'nats', 'postgres', 'prometheus', 'server']);
  for (const [name, s] of Object.entries(services)) {
    assert.equal(typeof s.image, 'string', `${name}.image`);
    assert.match(s.image, /:[\w.-]+$/, `${name}.image is pinned to a tag`);
    assert.equal(s.restart, 'unless-stopped', `${name}.restart`);
  }
  for (const dep of ['postgres', 'clickhouse', 'dragonfly', 'nats']) {
    assert.deepEqual(services.server.depends_on[dep], { condition: 'service_healthy' }, `server waits for ${dep}`);
    assert.ok(Array.isArray(services[dep].healthcheck?.test), `${dep} has a healthcheck`);
  }
  assert.match(services.server.healthcheck.test.join(' '), /\/ready/);
  // Named volumes are declared; bind mounts name files that exist.
  for (const [name, s] of Object.entries(services)) {
    for (const v of (s.volumes ?? []) as string[]) {
      const [host] = v.split(':');
      if (host.startsWith('.')) assert.ok(existsSync(join(ROOT, host)), `${name}: ${host} exists`);
      else assert.ok(host in compose.volumes, `${name}: volume ${host} is declared`);
    }
  }
});

test('every variable given to the server is one it reads, and the URLs point at the services with their credentials', () => {
  const server = env('server');
  const unread = Object.keys(server).filter((k) => !readVariables.has(k) && !(k === 'CLICKHOUSE_URL' && !clickhouseRead));
  assert.deepEqual(unread, [], `variables the server does not read (read: ${[...readVariables].sort().join(', ')})`);
  // The URLs pass the server's own checks.
  assert.deepEqual(serviceOptionsFromEnv(server), { databaseUrl: server.DATABASE_URL, redisUrl: server.REDIS_URL, natsUrl: server.NATS_URL });

  const pg = new URL(server.DATABASE_URL);
  const pgEnv = env('postgres');
  assert.deepEqual([pg.hostname, pg.port, pg.username, pg.password, pg.pathname], ['postgres', '5432', pgEnv.POSTGRES_USER, pgEnv.POSTGRES_PASSWORD, `/${pgEnv.POSTGRES_DB}`]);

  const redis = new URL(server.REDIS_URL);
  assert.deepEqual([redis.protocol, redis.hostname, redis.port], ['redis:', 'dragonfly', '6379']);

  const nats = new URL(server.NATS_URL);
  assert.deepEqual([nats.hostname, nats.port], ['nats', '4222']);
  assert.ok(services.nats.command.includes('--jetstream'), 'NATS runs with JetStream');
  assert.ok(services.nats.command.includes('--store_dir'), 'JetStream stores on a volume');

  const ch = new URL(server.CLICKHOUSE_URL);
  const chEnv = env('clickhouse');
  assert.deepEqual([ch.protocol, ch.hostname, ch.port, ch.username, ch.password], ['http:', 'clickhouse', '8123', chEnv.CLICKHOUSE_USER, chEnv.CLICKHOUSE_PASSWORD]);

  assert.equal(server.PORT, '8000');
  assert.ok(services.server.ports.includes(`${server.PORT}:${server.PORT}`));
});

// The market store (CLICKHOUSE_URL) and /metrics come with the market-data
// work; until that is merged these checks have nothing to compare against.
const clickhouseRead = readVariables.has('CLICKHOUSE_URL');
const metrics = exportedMetrics();

test('the server reads CLICKHOUSE_URL', { skip: clickhouseRead ? false : 'the market store (CLICKHOUSE_URL) is not in this checkout yet' }, () => {
  assert.ok(readVariables.has('CLICKHOUSE_URL'));
});

test('Prometheus scrapes the server, and Grafana is provisioned with it', () => {
  const promMount = (services.prometheus.volumes as string[]).find((v) => v.endsWith(':/etc/prometheus/prometheus.yml:ro'));
  assert.ok(promMount, 'prometheus.yml is mounted');
  const prom: Yaml = parse(readFileSync(join(ROOT, promMount.split(':')[0]), 'utf8'));
  const job = prom.scrape_configs.find((j: Yaml) => j.job_name === 'cift');
  assert.equal(job.metrics_path, '/metrics');
  assert.deepEqual(job.static_configs[0].targets, [`server:${env('server').PORT}`]);

  const mounts = Object.fromEntries((services.grafana.volumes as string[]).filter((v) => v.startsWith('.')).map((v) => [v.split(':')[1], v.split(':')[0]]));
  const provisioning = join(ROOT, mounts['/etc/grafana/provisioning']);
  const datasources: Yaml = parse(readFileSync(join(provisioning, 'datasources/prometheus.yml'), 'utf8'));
  const [ds] = datasources.datasources;
  assert.equal(ds.type, 'prometheus');
  assert.equal(ds.url, 'http://prometheus:9090');
  const providers: Yaml = parse(readFileSync(join(provisioning, 'dashboards/cift.yml'), 'utf8'));
  const dashDir = providers.providers[0].options.path;
  assert.ok(mounts[dashDir], `the dashboards directory ${dashDir} is mounted`);
  assert.equal(env('grafana').GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH, `${dashDir}/cift-venue.json`);

  const files = readdirSync(join(ROOT, mounts[dashDir])).filter((f) => f.endsWith('.json'));
  assert.ok(files.includes('cift-venue.json'));
  for (const f of files) {
    const dash = JSON.parse(readFileSync(join(ROOT, mounts[dashDir], f), 'utf8'));
    assert.ok(dash.uid && dash.title && dash.panels.length > 0, `${f} has a uid, a title and panels`);
    for (const p of dash.panels) {
      assert.equal(p.datasource.uid, ds.uid, `${f}: panel '${p.title}' uses the provisioned data source`);
      assert.ok(p.targets.length > 0 && p.targets.every((t: Yaml) => typeof t.expr === 'string' && t.expr.length > 0), `${f}: panel '${p.title}' has queries`);
    }
  }
});

test(
  'the dashboards chart only metrics the server exports',
  { skip: metrics.size > 0 ? false : 'the server defines no Prometheus metrics in this checkout yet (/metrics comes with the market-data work)' },
  () => {
    const dir = join(ROOT, 'server/deploy/grafana/dashboards');
    const missing: string[] = [];
    let charted = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
      for (const p of JSON.parse(readFileSync(join(dir, f), 'utf8')).panels) {
        for (const t of p.targets) {
          for (const m of (t.expr as string).matchAll(/\b(cift_[a-z0-9_]+)\b/g)) {
            charted++;
            if (!metrics.has(m[1])) missing.push(`${f} '${p.title}': ${m[1]}`);
          }
        }
      }
    }
    assert.ok(charted > 10);
    assert.deepEqual(missing, [], `exported: ${[...metrics].sort().join(', ')}`);
  },
);
