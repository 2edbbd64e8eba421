// Bun entry: opens the embedded venue and serves the app with Bun.serve.
// bun server/src/bun.ts   (PORT, CIFT_* as for Node)
import { upgradeWebSocket, websocket } from 'hono/bun';
import { createApp } from './app.ts';
import { openVenue } from './boot.ts';
import { serveOptionsFromEnv } from './serve-options.ts';

interface BunServer {
  port: number;
  stop(closeActive?: boolean): Promise<void> | void;
}
interface BunRuntime {
  serve(opts: { port: number; fetch: (req: Request, server: BunServer) => Response | Promise<Response>; websocket: typeof websocket }): BunServer;
}
const Bun = (globalThis as unknown as { Bun: BunRuntime }).Bun;

let opts;
try {
  opts = serveOptionsFromEnv(process.env);
} catch (err) {
  console.error(`cift: ${(err as Error).message}`);
  process.exit(2);
}
const venue = await openVenue(opts.venue);
const app = createApp({ ...venue.deps, upgradeWebSocket: upgradeWebSocket as never });
const server = Bun.serve({ port: opts.port, fetch: app.fetch, websocket });
console.log(`cift: listening on http://localhost:${server.port}`);
const stop = (): void => {
  venue.deps.market.streams.close();
  void Promise.resolve(server.stop())
    .then(() => venue.close())
    .then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
