// WebSocket support for the Node entry: @hono/node-server's upgradeWebSocket
// over a `ws` WebSocketServer. `ws` is loaded at run time so that a checkout
// without it still serves everything else (GET /v1/stream then answers 501 and
// SSE keeps working); Deno and Bun bring their own (hono/deno, hono/bun).
import { upgradeWebSocket } from '@hono/node-server';
import type { UpgradeWebSocket } from 'hono/ws';

/** The part of a `ws` WebSocketServer that @hono/node-server drives. */
export interface NodeWebSocketServer {
  options: { noServer?: boolean };
  close(): void;
}

/** The upgrade helper and the `ws` server to pass to serve({ websocket }), or undefined without `ws`. */
export async function nodeWebSocket(): Promise<{ upgradeWebSocket: UpgradeWebSocket<unknown>; server: NodeWebSocketServer } | undefined> {
  const specifier = 'ws';
  let mod: { WebSocketServer: new (opts: { noServer: true }) => NodeWebSocketServer };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch {
    return undefined;
  }
  return { upgradeWebSocket: upgradeWebSocket as UpgradeWebSocket<unknown>, server: new mod.WebSocketServer({ noServer: true }) };
}
