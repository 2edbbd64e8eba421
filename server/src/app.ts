// The HTTP app. It gets everything it uses (for now only the engine) injected,
// so runtime entry files only wire dependencies and listen, and tests call it
// in process with app.request().
import { Hono } from 'hono';
import type { Engine } from 'cift-engine';
import serverPackage from '../package.json' with { type: 'json' };

/** What the app is built from. */
export interface AppDeps {
  engine: Engine;
}

/** Service name reported by `GET /`. */
export const NAME = 'cift-markets';

/** Version reported by `GET /` (the server package's). */
export const VERSION: string = serverPackage.version;

/** Builds the Hono app over the given dependencies. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/', (c) => c.json({ name: NAME, version: VERSION }));
  app.get('/health', (c) => c.json({ ok: true, engine: { liveOrders: deps.engine.liveOrders() } }));
  return app;
}
