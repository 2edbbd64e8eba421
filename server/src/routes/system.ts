// `/`, `/health` (liveness) and `/ready` (each dependency's status).
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.ts';
import { NAME, VERSION } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { jsonResponse } from './common.ts';

const DependencyStatus = z.object({ ok: z.boolean(), kind: z.string(), error: z.string().optional() });
const ReadySchema = z
  .object({ ready: z.boolean(), dependencies: z.record(z.string(), DependencyStatus) })
  .openapi('Ready');

async function check(kind: string, ping: () => Promise<void>): Promise<z.infer<typeof DependencyStatus>> {
  try {
    await ping();
    return { ok: true, kind };
  } catch (err) {
    return { ok: false, kind, error: err instanceof Error ? err.message : String(err) };
  }
}

export function registerSystemRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['system'],
      responses: { 200: jsonResponse(z.object({ name: z.string(), version: z.string(), docs: z.string(), openapi: z.string() }), 'The service') },
    }),
    (c) => c.json({ name: NAME, version: VERSION, docs: '/docs', openapi: '/openapi.json' }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['system'],
      responses: { 200: jsonResponse(z.object({ ok: z.literal(true) }), 'The process is alive') },
    }),
    (c) => c.json({ ok: true as const }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/ready',
      tags: ['system'],
      responses: {
        200: jsonResponse(ReadySchema, 'Every dependency answers'),
        503: jsonResponse(ReadySchema, 'At least one dependency is down'),
      },
    }),
    async (c) => {
      const engine = deps.engine.status();
      const dependencies = {
        database: await check(deps.db.kind, () => deps.db.ping()),
        bus: await check(deps.bus.kind, () => deps.bus.ping()),
        cache: await check(deps.cache.kind, () => deps.cache.ping()),
        market: await check(deps.market.store.kind, () => deps.market.store.ping()),
        engine: engine.ok ? { ok: true, kind: deps.engine.kind } : { ok: false, kind: deps.engine.kind, error: engine.error ?? 'closed' },
      };
      const ready = Object.values(dependencies).every((d) => d.ok);
      return c.json({ ready, dependencies }, ready ? 200 : 503);
    },
  );
}
