// Orders: place, list, get (by id and by client_order_id), replace, cancel, cancel all.
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { requireAuth } from '../http/auth.ts';
import { invalid, notFound } from '../http/errors.ts';
import { PositiveDecimal, IsoTime, MultiStatusSchema, OrderSchema, Symbol, Text, Uuid } from '../http/schemas.ts';
import { rowToOrder, type OrderRow } from '../venue/records.ts';
import { OPEN_STATUSES } from '../venue/types.ts';
import { accountOf, authenticated, errorResponses, jsonBody, jsonResponse } from './common.ts';
import { decodeCursor, encodeCursor } from './account.ts';

const ClientOrderId = Text.min(1).max(128);

const NewOrder = z
  .object({
    symbol: Symbol,
    qty: PositiveDecimal,
    side: z.enum(['buy', 'sell']),
    type: z.enum(['market', 'limit', 'stop', 'stop_limit']),
    time_in_force: z.enum(['day', 'gtc', 'gtd', 'ioc', 'fok']),
    limit_price: PositiveDecimal.optional(),
    stop_price: PositiveDecimal.optional(),
    display_qty: PositiveDecimal.optional().openapi({ description: 'Iceberg: the visible part of a resting limit order' }),
    post_only: z.boolean().optional(),
    reduce_only: z.boolean().optional(),
    expire_at: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Required for gtd' }),
    client_order_id: ClientOrderId.optional(),
  })
  .strict()
  .openapi('NewOrder');

const ReplaceOrder = z
  .object({
    qty: PositiveDecimal.optional().openapi({ description: 'The new open quantity' }),
    limit_price: PositiveDecimal.optional(),
    client_order_id: ClientOrderId.optional(),
  })
  .strict()
  .refine((b) => b.qty !== undefined || b.limit_price !== undefined, { message: 'give qty and/or limit_price', path: ['qty'] })
  .openapi('ReplaceOrder', { description: 'Give qty, limit_price or both', anyOf: [{ required: ['qty'] }, { required: ['limit_price'] }] });

const ListQuery = z
  .object({
    status: z.enum(['open', 'closed', 'all']).default('open'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    after: IsoTime.optional(),
    until: IsoTime.optional(),
    direction: z.enum(['asc', 'desc']).default('desc'),
    symbols: z
      .string()
      .regex(/^[A-Z0-9][A-Z0-9./-]{0,15}(,[A-Z0-9][A-Z0-9./-]{0,15})*$/, 'comma-separated symbols')
      .optional(),
    side: z.enum(['buy', 'sell']).optional(),
    page_token: z.string().max(200).optional(),
  })
  .strict();

const OrderPage = z.array(OrderSchema);

export function registerOrderRoutes(app: App, deps: AppDeps): void {
  app.on(['GET'], '/v1/orders/*', requireAuth(deps, 'read'));
  app.on(['POST', 'PATCH', 'DELETE'], '/v1/orders/*', requireAuth(deps, 'trade'));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/orders',
      tags: ['orders'],
      summary: 'Place an order (the same client_order_id and body returns the same order)',
      security: authenticated,
      request: { body: jsonBody(NewOrder) },
      responses: { 200: jsonResponse(OrderSchema, 'The order'), ...errorResponses(400, 401, 403, 413, 415, 422, 429) },
    }),
    async (c) => c.json(await deps.engine.placeOrder(accountOf(c.get('principal')), c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/orders',
      tags: ['orders'],
      summary: 'List orders (status open/closed/all, time range, symbols, pages of `limit` with page_token)',
      security: authenticated,
      request: { query: ListQuery },
      responses: { 200: jsonResponse(OrderPage, 'Orders; X-Next-Page-Token when more follow'), ...errorResponses(401, 403, 422, 429) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const accountId = c.get('principal').accountId;
      const cursor = q.page_token === undefined ? null : decodeOrderCursor(q.page_token);
      const asc = q.direction === 'asc';
      await deps.engine.settled();
      const rows = await deps.db.query<OrderRow & { ord: number }>(
        `SELECT *, (extract(epoch FROM created_at) * 1000000)::bigint AS ord FROM orders
         WHERE account_id = $1
           AND (CASE $2 WHEN 'open' THEN status = ANY($3::text[]) WHEN 'closed' THEN NOT (status = ANY($3::text[])) ELSE true END)
           AND ($4::timestamptz IS NULL OR created_at > $4) AND ($5::timestamptz IS NULL OR created_at < $5)
           AND ($6::text[] IS NULL OR symbol = ANY($6::text[])) AND ($7::text IS NULL OR side = $7)
           AND ($8::bigint IS NULL OR (CASE WHEN $10 THEN ((extract(epoch FROM created_at) * 1000000)::bigint, id::text) > ($8, $9)
                                                  ELSE ((extract(epoch FROM created_at) * 1000000)::bigint, id::text) < ($8, $9) END))
         ORDER BY created_at ${asc ? 'ASC' : 'DESC'}, id ${asc ? 'ASC' : 'DESC'} LIMIT $11`,
        [accountId, q.status, OPEN_STATUSES, q.after ?? null, q.until ?? null, q.symbols?.split(',') ?? null, q.side ?? null,
          cursor?.ord ?? null, cursor?.id ?? '', asc, q.limit],
      );
      if (rows.length === q.limit) {
        const last = rows[rows.length - 1];
        c.header('X-Next-Page-Token', encodeOrderCursor(Number(last.ord), last.id));
      }
      return c.json(rows.map(rowToOrder), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/orders/by_client_order_id',
      tags: ['orders'],
      summary: 'Get an order by its client_order_id',
      security: authenticated,
      request: { query: z.object({ client_order_id: ClientOrderId }).strict() },
      responses: { 200: jsonResponse(OrderSchema, 'The order'), ...errorResponses(401, 403, 404, 422, 429) },
    }),
    async (c) => {
      const { client_order_id } = c.req.valid('query');
      await deps.engine.settled();
      const [row] = await deps.db.query<OrderRow>(
        `SELECT * FROM orders WHERE account_id = $1 AND client_order_id = $2 ORDER BY (status = 'rejected'), created_at DESC LIMIT 1`,
        [c.get('principal').accountId, client_order_id],
      );
      if (!row) throw notFound(`no order with client_order_id '${client_order_id}'`);
      return c.json(rowToOrder(row), 200);
    },
  );

  const IdParam = z.object({ order_id: Uuid.openapi({ param: { name: 'order_id', in: 'path' } }) });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/orders/{order_id}',
      tags: ['orders'],
      summary: 'Get an order',
      security: authenticated,
      request: { params: IdParam },
      responses: { 200: jsonResponse(OrderSchema, 'The order'), ...errorResponses(401, 403, 404, 422, 429) },
    }),
    async (c) => {
      const { order_id } = c.req.valid('param');
      await deps.engine.settled();
      const [row] = await deps.db.query<OrderRow>('SELECT * FROM orders WHERE id = $1 AND account_id = $2', [order_id, c.get('principal').accountId]);
      if (!row) throw notFound(`order ${order_id} not found`);
      return c.json(rowToOrder(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/orders/{order_id}',
      tags: ['orders'],
      summary: 'Replace an open order: a new order (new id, `replaces`) takes its place; the old one becomes `replaced`',
      security: authenticated,
      request: { params: IdParam, body: jsonBody(ReplaceOrder) },
      responses: { 200: jsonResponse(OrderSchema, 'The new order'), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429) },
    }),
    async (c) => c.json(await deps.engine.replaceOrder(accountOf(c.get('principal')), c.req.valid('param').order_id, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/orders/{order_id}',
      tags: ['orders'],
      summary: 'Cancel an open order',
      security: authenticated,
      request: { params: IdParam },
      responses: { 200: jsonResponse(OrderSchema, 'The canceled order'), ...errorResponses(401, 403, 404, 409, 422, 429) },
    }),
    async (c) => c.json(await deps.engine.cancelOrder(accountOf(c.get('principal')), c.req.valid('param').order_id), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/orders',
      tags: ['orders'],
      summary: 'Cancel every open order; 207 with a status per order',
      security: authenticated,
      responses: { 207: jsonResponse(MultiStatusSchema, 'Per-order results'), ...errorResponses(401, 403, 429) },
    }),
    async (c) => c.json(await deps.engine.cancelAllOrders(accountOf(c.get('principal'))), 207),
  );
}

function encodeOrderCursor(ord: number, id: string): string {
  return encodeCursor(ord) + '.' + Buffer.from(id).toString('base64url');
}

function decodeOrderCursor(token: string): { ord: number; id: string } {
  const [a, b = ''] = token.split('.');
  const id = Buffer.from(b, 'base64url').toString();
  const ord = decodeCursor(a);
  if (!/^[0-9a-f-]{36}$/.test(id)) throw invalid('page_token is not a token this API issued', 'page_token');
  return { ord, id };
}
