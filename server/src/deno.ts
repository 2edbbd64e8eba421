// Deno entry: opens the embedded venue and serves the app with Deno.serve.
// deno run --allow-all server/src/deno.ts   (PORT, CIFT_* as for Node)
import { upgradeWebSocket } from 'hono/deno';
import { createApp } from './app.ts';
import { openVenue } from './boot.ts';
import { serveOptionsFromEnv } from './serve-options.ts';

interface DenoServer {
  finished: Promise<void>;
  shutdown(): Promise<void>;
}
interface DenoRuntime {
  env: { toObject(): Record<string, string> };
  serve(opts: { port: number; onListen?: (addr: { port: number }) => void }, handler: (req: Request) => Response | Promise<Response>): DenoServer;
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', fn: () => void): void;
  exit(code: number): never;
}
const Deno = (globalThis as unknown as { Deno: DenoRuntime }).Deno;

const opts = (() => {
  try {
    return serveOptionsFromEnv(Deno.env.toObject());
  } catch (err) {
    console.error(`cift: ${(err as Error).message}`);
    return Deno.exit(2);
  }
})();
const venue = await openVenue(opts.venue);
const app = createApp({ ...venue.deps, upgradeWebSocket: upgradeWebSocket as never });
const server = Deno.serve({ port: opts.port, onListen: ({ port }) => console.log(`cift: listening on http://localhost:${port}`) }, app.fetch);
const stop = (): void => {
  venue.deps.market.streams.close();
  void server
    .shutdown()
    .then(() => venue.close())
    .then(() => Deno.exit(0));
};
Deno.addSignalListener('SIGINT', stop);
Deno.addSignalListener('SIGTERM', stop);
