// Node entry: opens the embedded venue, builds the app and listens (port 8000,
// or PORT). Run with `node --import tsx server/src/node.ts` or `cift serve`.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.ts';
import { openVenue, type VenueOptions } from './boot.ts';
import { nodeWebSocket } from './market/node-websocket.ts';
import { serveOptionsFromEnv } from './serve-options.ts';

export { DEFAULT_PORT, parsePort } from './serve-options.ts';

/** A listening server and how to stop it (closing the venue after the last request). */
export interface RunningServer {
  server: ServerType;
  port: number;
  stop(): Promise<void>;
}

/** Opens the venue and starts listening; resolves once it listens. */
export async function startNodeServer(port: number, venue: VenueOptions): Promise<RunningServer> {
  const v = await openVenue(venue);
  const ws = await nodeWebSocket();
  const app = createApp({ ...v.deps, upgradeWebSocket: ws?.upgradeWebSocket });
  try {
    const { server, actualPort } = await new Promise<{ server: ServerType; actualPort: number }>((resolve, reject) => {
      const server = serve({ fetch: app.fetch, port, websocket: ws ? { server: ws.server as never } : undefined }, (info) => resolve({ server, actualPort: info.port }));
      server.once('error', reject);
    });
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= new Promise<void>((resolve) => {
        v.deps.market.streams.close(); // open streams would hold the server open
        server.close(() => resolve());
      }).then(() => v.close()));
    return { server, port: actualPort, stop };
  } catch (err) {
    await v.close();
    throw err;
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
}

/** Runs until SIGINT/SIGTERM, then closes cleanly (exit 0). */
export async function runNode(port: number, venue: VenueOptions): Promise<void> {
  const running = await startNodeServer(port, venue);
  console.log(`cift: listening on http://localhost:${running.port}`);
  const stop = (): void => {
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`cift: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (isMain()) {
  let opts;
  try {
    opts = serveOptionsFromEnv(process.env);
  } catch (err) {
    console.error(`cift: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
  await runNode(opts.port, opts.venue).catch((err: unknown) => {
    console.error(`cift: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
