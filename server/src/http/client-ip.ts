// The caller's IP address, from whichever runtime serves the request: Node
// (@hono/node-server puts the IncomingMessage in the env), Bun (the env is the
// server, which has requestIP()) and Deno (Deno.serve's handler info, passed
// to app.fetch as the env). Behind a reverse proxy every request comes from
// the proxy, so with `trustProxy` the address is the last X-Forwarded-For
// entry: the one the nearest proxy appended, which a client cannot forge.
import type { Context } from 'hono';

interface RuntimeEnv {
  incoming?: { socket?: { remoteAddress?: string } };
  requestIP?: (req: Request) => { address?: string } | null;
  remoteAddr?: { hostname?: string };
}

/** The client's address, or undefined when the runtime does not say (e.g. `app.request()` in tests). */
export function clientIp(c: Context, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for');
    const last = forwarded?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  const env = c.env as RuntimeEnv | undefined;
  if (!env || typeof env !== 'object') return undefined;
  const address = env.incoming?.socket?.remoteAddress ?? (typeof env.requestIP === 'function' ? env.requestIP(c.req.raw)?.address : undefined) ?? env.remoteAddr?.hostname;
  return address || undefined;
}
