// GET /metrics in Prometheus' text format, and the middleware that times every
// request by route pattern (registered before the other route modules so it
// sees them all). Unauthenticated, as scrapers expect; keep it off the public
// interface with the network, as with any Prometheus endpoint.
import { routePath } from 'hono/route';
import type { App } from '../app.ts';
import type { AppDeps } from '../deps.ts';

export function registerMetricsRoutes(app: App, deps: AppDeps): void {
  const { httpDuration, registry } = deps.metrics;
  app.use('*', async (c, next) => {
    const start = performance.now();
    await next();
    const pattern = routePath(c, -1);
    // Unmatched paths share one label, so a scan of random URLs cannot grow the series.
    const route = pattern === '' || pattern.endsWith('*') ? 'unmatched' : pattern;
    httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, (performance.now() - start) / 1000);
  });
  app.get('/metrics', async (c) => {
    const text = await registry.metrics();
    return c.body(text, 200, { 'content-type': registry.contentType });
  });
}
