// Node entry: opens the embedded venue, builds the app and listens (port 8000,
// or PORT). Run with `node --import tsx server/src/node.ts` or `cift serve`.
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createApp, type App } from './app.ts';
import { openVenue, type VenueOptions } from './boot.ts';
import { nodeWebSocket } from './market/node-websocket.ts';
import { serveOptionsFromEnv } from './serve-options.ts';

export { DEFAULT_PORT, parsePort } from './serve-options.ts';

/**
 * Answers a request Node's HTTP parser refused before the app saw it (headers over 16 KiB, a malformed request
 * line) in the API's error shape, where Node's own answer is a bare status line.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'the request line and headers exceed 16 KiB']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'the request did not arrive in time']
        : [400, 'bad_request', 'malformed HTTP request'];
  const body = JSON.stringify({ error: { code, message, requestId: randomUUID() } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** A listening server and how to stop it (closing the venue after the last request). */
export interface RunningServer {
  server: ServerType;
  port: number;
  stop(): Promise<void>;
}

/**
 * Serves `app` on `port` (0: any free port), WebSocket upgrades going to
 * `ws`; resolves once it listens. stop() closes `streams` (open streams would
 * hold the server open), then the server, then calls `close`; calling it
 * again returns the same promise. The embedded venue and the scale-out
 * gateway both listen through it.
 */
export async function listenNode(
  app: App,
  port: number,
  ws: Awaited<ReturnType<typeof nodeWebSocket>>,
  streams: { close(): void },
  close: () => Promise<void>,
): Promise<RunningServer> {
  const { server, actualPort } = await new Promise<{ server: ServerType; actualPort: number }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, websocket: ws ? { server: ws.server as never } : undefined }, (info) => resolve({ server, actualPort: info.port }));
    server.once('error', reject);
  });
  server.on('clientError', answerClientError);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= new Promise<void>((resolve) => {
      streams.close();
      server.close(() => resolve());
    }).then(close));
  return { server, port: actualPort, stop };
}

/** Opens the venue and starts listening; resolves once it listens. */
export async function startNodeServer(port: number, venue: VenueOptions): Promise<RunningServer> {
  const v = await openVenue(venue);
  const ws = await nodeWebSocket();
  const app = createApp({ ...v.deps, upgradeWebSocket: ws?.upgradeWebSocket });
  try {
    return await listenNode(app, port, ws, v.deps.market.streams, () => v.close());
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
