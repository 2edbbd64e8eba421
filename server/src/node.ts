// Node entry: wires the engine into the app and listens (port 8000, or PORT).
// Run with `node --import tsx server/src/node.ts` or `cift serve`.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.ts';
import { createEngine } from './engine.ts';

/** Port used when neither PORT nor --port is given. */
export const DEFAULT_PORT = 8000;

/** Parses a TCP port (0 picks a free one); throws a readable error otherwise. */
export function parsePort(value: string | undefined, source: string): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`${source} must be a port number 0-65535, got '${value}'`);
  return port;
}

/** Starts the server; resolves once it listens (rejects if it cannot). Stops cleanly on SIGINT/SIGTERM. */
export function startNodeServer(port: number): Promise<ServerType> {
  const app = createApp({ engine: createEngine() });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port }, (info) => {
      console.log(`cift: listening on http://localhost:${info.port}`);
      resolve(server);
    });
    server.once('error', reject);
    const stop = (): void => {
      server.close(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
}

function fail(err: unknown, code: number): never {
  console.error(`cift: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(code);
}

if (isMain()) {
  let port = DEFAULT_PORT;
  try {
    port = parsePort(process.env.PORT, 'PORT');
  } catch (err) {
    fail(err, 2);
  }
  await startNodeServer(port).catch((err: unknown) => fail(err, 1));
}
