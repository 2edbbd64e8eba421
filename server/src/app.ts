// The HTTP app. createApp() gets everything it uses injected (stores, bus,
// cache, engine service, clock, logger, config), so the runtime entry files
// only wire dependencies and listen, and tests call it in process with
// app.request().
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import { bodyLimit } from 'hono/body-limit';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import serverPackage from '../package.json' with { type: 'json' };
import type { AppDeps } from './deps.ts';
import type { AppEnv } from './http/auth.ts';
import { ApiError, errorBody, sendError, toApiError, validationError } from './http/errors.ts';
import { requestFrame } from './http/frame.ts';
import { registerAccountRoutes } from './routes/account.ts';
import { registerAdminRoutes } from './routes/admin.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { errorResponses } from './routes/common.ts';
import { registerMarketRoutes } from './routes/market.ts';
import { registerMarketDataRoutes } from './routes/marketdata.ts';
import { registerMultiSymbolMarketDataRoutes } from './routes/marketdata-multi.ts';
import { registerMetricsRoutes } from './routes/metrics.ts';
import { registerOrderRoutes } from './routes/orders.ts';
import { registerSimRoutes } from './routes/sim.ts';
import { registerStreamRoutes } from './routes/stream.ts';
import { registerSystemRoutes } from './routes/system.ts';

export type { AppDeps } from './deps.ts';

/** Service name reported by `GET /`. */
export const NAME = 'cift-markets';

/** Version reported by `GET /` (the server package's). */
export const VERSION: string = serverPackage.version;

/** The app's type: an OpenAPIHono over the app's context variables. */
export type App = OpenAPIHono<AppEnv>;

/** A router with the app's validation hook: failed zod validation becomes the error shape. */
export function createRouter(): App {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target, (result as { data?: unknown }).data);
    },
  });
}

/** Builds the Hono app over the given dependencies. */
export function createApp(deps: AppDeps): App {
  const app = createRouter();
  const log = deps.logger;
  registerMetricsRoutes(app, deps); // first: its middleware times every request

  app.use('*', requestFrame(log)); // request id, security headers, a log line per request
  if (deps.config.corsOrigins.length > 0) {
    const origins = deps.config.corsOrigins;
    app.use(
      '*',
      cors({
        origin: origins.includes('*') ? '*' : origins,
        allowHeaders: ['Authorization', 'Content-Type', 'APCA-API-KEY-ID', 'APCA-API-SECRET-KEY'],
        exposeHeaders: ['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
      }),
    );
  }
  // Bodies: JSON only, bounded. A declared Content-Length is checked from the
  // header alone: touching `c.req.raw.body` (as hono's bodyLimit does) makes
  // @hono/node-server build a full fetch Request for every request, which
  // costs more than the rest of a cheap route. Only a chunked body (no length)
  // is counted while streaming, by hono's bodyLimit.
  const maxBody = deps.config.maxBodyBytes;
  /** Literal paths a templated route also matches: their own methods, and those only the templated route takes there (filled below). */
  const shadowed = new Map<string, { allowed: string[]; shadowing: Set<string> }>();
  const methodNotAllowed = (c: Context<AppEnv>, allowed: string[]) => {
    c.header('Allow', allowed.join(', '));
    return c.json(errorBody(c, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path} (allowed: ${allowed.join(', ')})`), 405);
  };
  const tooLarge = (): never => {
    throw new ApiError(413, 'payload_too_large', `request body exceeds ${maxBody} bytes`);
  };
  const streamingLimit = bodyLimit({ maxSize: maxBody, onError: tooLarge });
  app.use('/v1/*', async (c, next) => {
    const method = c.req.method;
    if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return next();
    const length = c.req.header('content-length');
    const chunked = c.req.header('transfer-encoding') !== undefined;
    if ((length !== undefined && length !== '0') || chunked) {
      const type = c.req.header('content-type');
      if (!/^application\/json\s*(;|$)/i.test(type ?? '')) {
        throw new ApiError(415, 'unsupported_media_type', `request bodies must be application/json, got '${type ?? 'none'}'`);
      }
    }
    if (length === undefined || chunked) return streamingLimit(c, next);
    if (!/^\d+$/.test(length) || Number(length) > maxBody) tooLarge();
    return next();
  });

  // A literal documented path asked with a method only a templated neighbour takes (DELETE
  // /v1/orders/by_client_order_id, which `/v1/orders/{order_id}` would take) is a 405 too, as OpenAPI reads it.
  app.use('/v1/*', async (c, next) => {
    const hit = shadowed.get(c.req.path);
    return hit?.shadowing.has(c.req.method) ? methodNotAllowed(c, hit.allowed) : next();
  });

  registerSystemRoutes(app, deps);
  registerAuthRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerOrderRoutes(app, deps);
  registerMarketRoutes(app, deps);
  registerMarketDataRoutes(app, deps);
  registerMultiSymbolMarketDataRoutes(app, deps);
  registerStreamRoutes(app, deps);
  registerAdminRoutes(app, deps);
  registerSimRoutes(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyId', { type: 'apiKey', in: 'header', name: 'APCA-API-KEY-ID' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeySecret', { type: 'apiKey', in: 'header', name: 'APCA-API-SECRET-KEY' });
  // Every route is registered by now: what the document and the 405 answers need of them is worked out once.
  const routes = app.openAPIRegistry.definitions.flatMap((d) => (d.type === 'route' ? [d.route] : []));
  // A body that `{}` satisfies may be left out (the validator then checks `{}`, defaults and all), so it is
  // published as optional; the routes keep `required: true`, under which @hono/zod-openapi validates a bodiless
  // request instead of skipping it.
  const optionalBodies = new Set(
    routes.flatMap((r) => {
      const media = r.request?.body?.content['application/json'];
      const schema = media && 'schema' in media ? media.schema : undefined;
      return schema instanceof z.ZodType && schema.safeParse({}).success ? [`${r.method} ${r.path}`] : [];
    }),
  );
  const openApiDocument = () => {
    const doc = app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: 'CIFT Markets venue API', version: VERSION, description: 'Paper-trading venue over the CIFT engine. Alpaca-style names; decimals as strings.' },
    });
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item ?? {})) {
        const body = (op as { requestBody?: { required?: boolean } }).requestBody;
        if (body && optionalBodies.has(`${method} ${path}`)) body.required = false;
        // The body check above answers every POST, PUT and PATCH under /v1, those without a body schema too.
        const responses = (op as { responses?: Record<string, unknown> }).responses;
        if (responses && path.startsWith('/v1/') && ['post', 'put', 'patch'].includes(method)) {
          for (const [code, response] of Object.entries(errorResponses(413, 415))) responses[code] ??= response;
        }
      }
    }
    return doc;
  };
  let document: ReturnType<typeof openApiDocument> | undefined;
  app.get('/openapi.json', (c) => c.json((document ??= openApiDocument())));
  app.get('/docs', swaggerUI({ url: '/openapi.json' }));

  // A documented path asked with a method it does not take is a 405 naming the methods it takes. As OpenAPI
  // matches paths, a path with fewer templated segments wins (`/v1/orders/by_client_order_id` over
  // `/v1/orders/{order_id}`).
  const documented = routes.map((r) => ({
    pattern: new RegExp(`^${r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^/}]+\}/g, '[^/]+')}$`),
    path: r.path,
    templates: r.path.split('{').length - 1,
    method: r.method.toUpperCase(),
  }));
  const allowedMethods = (path: string): string[] => {
    const matches = documented.filter((r) => r.pattern.test(path));
    const fewest = Math.min(...matches.map((r) => r.templates));
    const methods = new Set(matches.filter((r) => r.templates === fewest).map((r) => r.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
  for (const { path } of documented.filter((d) => d.templates === 0)) {
    const allowed = allowedMethods(path);
    const shadowing = new Set(documented.filter((d) => d.pattern.test(path) && !allowed.includes(d.method)).map((d) => d.method));
    if (shadowing.size > 0) shadowed.set(path, { allowed, shadowing });
  }
  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path);
    if (allowed.length === 0) return c.json(errorBody(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`), 404);
    return methodNotAllowed(c, allowed);
  });
  app.onError((err, c) => {
    const known = toApiError(err);
    if (known) return sendError(c, known);
    log.error({ err, requestId: c.get('requestId'), path: c.req.path }, 'unhandled error');
    return c.json(errorBody(c, 'internal', 'internal error'), 500);
  });
  return app;
}
