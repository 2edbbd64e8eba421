// The caller's account: balances, deposits/withdrawals (paper), risk limits,
// activities (fills and cash), portfolio history, and positions.
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { requireAuth } from '../http/auth.ts';
import { invalid, notFound } from '../http/errors.ts';
import { PositiveDecimal, PositiveDecimalText, IsoTime, MultiStatusSchema, OrderSchema, PositionSchema, RiskLimitsInForceSchema, Symbol } from '../http/schemas.ts';
import { normalize } from '../venue/records.ts';
import { accountOf, authenticated, errorResponses, jsonBody, jsonResponse } from './common.ts';

const AccountSchema = z
  .object({
    id: z.string(),
    account_number: z.string(),
    status: z.string(),
    currency: z.literal('USD'),
    cash: z.string(),
    reserved: z.string(),
    buying_power: z.string(),
    equity: z.string(),
    portfolio_value: z.string(),
    realized_pl: z.string(),
    unrealized_pl: z.string(),
    open_orders: z.number().int(),
    trading_blocked: z.boolean(),
    created_at: z.string(),
  })
  .openapi('Account');

const CashSchema = z
  .object({ id: z.string(), kind: z.enum(['deposit', 'withdrawal']), amount: z.string(), cash_after: z.string(), created_at: z.string() })
  .openapi('CashMovement');

const AmountBody = z.object({ amount: PositiveDecimal.openapi({ description: 'Money, at most 2 decimals', example: '1000.00' }) }).strict();

const ActivitySchema = z
  .object({
    id: z.string(),
    activity_type: z.enum(['FILL', 'CSD', 'CSW']),
    transaction_time: z.string(),
    symbol: z.string().optional(),
    order_id: z.string().optional(),
    side: z.string().optional(),
    liquidity: z.string().optional(),
    price: z.string().optional(),
    qty: z.string().optional(),
    fee: z.string().optional(),
    realized_pl: z.string().optional(),
    position_qty: z.string().optional(),
    leaves_qty: z.string().optional(),
    net_amount: z.string().optional(),
    cash_after: z.string(),
  })
  .openapi('Activity');

const ActivityQuery = z
  .object({
    activity_types: z
      .string()
      .regex(/^(FILL|CSD|CSW)(,(FILL|CSD|CSW))*$/, 'comma-separated list of FILL, CSD, CSW')
      .optional(),
    after: IsoTime.optional(),
    until: IsoTime.optional(),
    direction: z.enum(['asc', 'desc']).default('desc'),
    page_size: z.coerce.number().int().min(1).max(500).default(100),
    page_token: z.string().max(200).optional(),
  })
  .strict();

const HistorySchema = z
  .object({
    timestamp: z.array(z.number().int()),
    equity: z.array(z.string()),
    cash: z.array(z.string()),
    profit_loss: z.array(z.string()),
    base_value: z.string(),
    timeframe: z.string(),
  })
  .openapi('PortfolioHistory');

const TIMEFRAMES: Record<string, number> = { '1Min': 60, '5Min': 300, '15Min': 900, '1H': 3600, '1D': 86400 };

function activityOut(r: Record<string, unknown>): z.infer<typeof ActivitySchema> {
  const d = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : normalize(String(v)));
  const base = {
    id: String(r.id),
    activity_type: r.activity_type as 'FILL' | 'CSD' | 'CSW',
    transaction_time: (r.at as Date).toISOString(),
    cash_after: d(r.cash_after)!,
  };
  if (r.activity_type !== 'FILL') return { ...base, net_amount: d(r.amount) };
  return {
    ...base,
    symbol: String(r.symbol),
    order_id: String(r.order_id),
    side: String(r.side),
    liquidity: String(r.liquidity),
    price: d(r.price),
    qty: d(r.qty),
    fee: d(r.fee),
    realized_pl: d(r.realized_pl),
    position_qty: d(r.position_qty),
    leaves_qty: d(r.leaves_qty),
  };
}

export function registerAccountRoutes(app: App, deps: AppDeps): void {
  // `/x/*` also matches `/x` in Hono, so one pattern per area (twice would authenticate twice).
  for (const path of ['/v1/account/*', '/v1/positions/*']) {
    app.on(['GET'], path, requireAuth(deps, 'read'));
    app.on(['POST', 'PUT', 'PATCH', 'DELETE'], path, requireAuth(deps, 'trade'));
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/account',
      tags: ['account'],
      summary: 'Balances and status',
      security: authenticated,
      responses: { 200: jsonResponse(AccountSchema, 'The account'), ...errorResponses(401, 403, 429) },
    }),
    async (c) => {
      const p = c.get('principal');
      const [row] = await deps.db.query<{ id: string; account_number: string; status: string; created_at: Date }>(
        'SELECT id, account_number, status, created_at FROM accounts WHERE id = $1',
        [p.accountId],
      );
      if (!row) throw notFound('account not found');
      const s = deps.engine.accountState(accountOf(p));
      return c.json(
        {
          id: row.id,
          account_number: row.account_number,
          status: row.status,
          currency: 'USD' as const,
          cash: s.cash,
          reserved: s.reserved,
          buying_power: s.buying_power,
          equity: s.equity,
          portfolio_value: s.equity,
          realized_pl: s.realized_pl,
          unrealized_pl: s.unrealized_pl,
          open_orders: s.open_orders,
          trading_blocked: s.trading_blocked || row.status === 'DISABLED',
          created_at: row.created_at.toISOString(),
        },
        200,
      );
    },
  );

  for (const kind of ['deposits', 'withdrawals'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/account/${kind}`,
        tags: ['account'],
        summary: kind === 'deposits' ? 'Add paper money' : 'Take paper money out (up to buying power)',
        security: authenticated,
        request: { body: jsonBody(AmountBody) },
        responses: { 201: jsonResponse(CashSchema, 'Recorded'), ...errorResponses(400, 401, 403, 413, 415, 422, 429) },
      }),
      async (c) => {
        const { amount } = c.req.valid('json');
        const acc = accountOf(c.get('principal'));
        const moved = kind === 'deposits' ? await deps.engine.deposit(acc, amount) : await deps.engine.withdraw(acc, amount);
        return c.json(moved, 201);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/account/limits',
      tags: ['account'],
      summary: 'Risk limits (0 = unlimited); set by an admin',
      security: authenticated,
      responses: { 200: jsonResponse(RiskLimitsInForceSchema, 'Limits'), ...errorResponses(401, 403, 429) },
    }),
    async (c) => {
      await deps.engine.settled();
      const [r] = await deps.db.query<Record<string, unknown>>('SELECT * FROM risk_limits WHERE account_id = $1', [c.get('principal').accountId]);
      if (!r) throw notFound('no limits recorded for this account');
      return c.json(
        {
          max_order_qty: normalize(String(r.max_order_qty)),
          max_order_notional: normalize(String(r.max_order_notional)),
          max_gross_exposure: normalize(String(r.max_gross_exposure)),
          max_open_orders: Number(r.max_open_orders),
          orders_per_second: Number(r.orders_per_second),
          shorting_enabled: Boolean(r.shorting_enabled),
          pre_trade_checks: Boolean(r.pre_trade_checks),
        },
        200,
      );
    },
  );

  const activities = async (accountId: string, q: z.infer<typeof ActivityQuery>, types: string[]) => {
    const cursor = q.page_token === undefined ? undefined : decodeCursor(q.page_token);
    const asc = q.direction === 'asc';
    await deps.engine.settled();
    const rows = await deps.db.query<Record<string, unknown>>(
      `SELECT * FROM (
         SELECT f.id::text AS id, 'FILL' AS activity_type, f.transaction_time AS at, f.event_seq AS seq, f.symbol, f.order_id::text AS order_id,
                f.side, f.liquidity, f.price, f.qty, f.fee, f.realized_pl, f.position_qty, f.leaves_qty, NULL::numeric AS amount, f.cash_after
           FROM fills f WHERE f.account_id = $1 AND 'FILL' = ANY($2::text[])
         UNION ALL
         SELECT l.event_seq::text, CASE l.kind WHEN 'deposit' THEN 'CSD' ELSE 'CSW' END, l.created_at, l.event_seq, NULL, NULL,
                NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, CASE l.kind WHEN 'deposit' THEN l.amount ELSE -l.amount END, l.cash_after
           FROM cash_ledger l WHERE l.account_id = $1 AND (CASE l.kind WHEN 'deposit' THEN 'CSD' ELSE 'CSW' END) = ANY($2::text[])
       ) a
       WHERE ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at <= $4)
         AND ($5::bigint IS NULL OR (CASE WHEN $6 THEN seq > $5 ELSE seq < $5 END))
       ORDER BY seq ${asc ? 'ASC' : 'DESC'} LIMIT $7`,
      [accountId, types, q.after ?? null, q.until ?? null, cursor ?? null, asc, q.page_size],
    );
    const items = rows.map(activityOut);
    const next = rows.length === q.page_size ? encodeCursor(Number(rows[rows.length - 1].seq)) : null;
    return { items, next };
  };

  const ActivityPage = z.object({ activities: z.array(ActivitySchema), next_page_token: z.string().nullable() }).openapi('ActivityPage');
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/account/activities',
      tags: ['account'],
      summary: 'Fills (FILL) and cash movements (CSD deposits, CSW withdrawals), newest first',
      security: authenticated,
      request: { query: ActivityQuery },
      responses: { 200: jsonResponse(ActivityPage, 'Activities'), ...errorResponses(401, 403, 422, 429) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { items, next } = await activities(c.get('principal').accountId, q, q.activity_types?.split(',') ?? ['FILL', 'CSD', 'CSW']);
      return c.json({ activities: items, next_page_token: next }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/account/activities/{activity_type}',
      tags: ['account'],
      summary: 'Activities of one type',
      security: authenticated,
      request: { params: z.object({ activity_type: z.enum(['FILL', 'CSD', 'CSW']) }), query: ActivityQuery.omit({ activity_types: true }) },
      responses: { 200: jsonResponse(ActivityPage, 'Activities'), ...errorResponses(401, 403, 422, 429) },
    }),
    async (c) => {
      const { items, next } = await activities(c.get('principal').accountId, c.req.valid('query'), [c.req.valid('param').activity_type]);
      return c.json({ activities: items, next_page_token: next }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/account/portfolio/history',
      tags: ['account'],
      summary: 'Equity over time (the last value in each timeframe bucket)',
      security: authenticated,
      request: {
        query: z
          .object({
            timeframe: z.enum(['1Min', '5Min', '15Min', '1H', '1D']).default('1D'),
            start: IsoTime.optional(),
            end: IsoTime.optional(),
          })
          .strict(),
      },
      responses: { 200: jsonResponse(HistorySchema, 'History'), ...errorResponses(401, 403, 422, 429) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const bucket = TIMEFRAMES[q.timeframe];
      await deps.engine.settled();
      const rows = await deps.db.query<{ bucket: number; equity: string; cash: string }>(
        `SELECT DISTINCT ON (b) b AS bucket, equity, cash FROM (
           SELECT floor(extract(epoch FROM ts) / $2)::bigint * $2 AS b, equity, cash, event_seq
           FROM equity_history WHERE account_id = $1 AND ($3::timestamptz IS NULL OR ts >= $3) AND ($4::timestamptz IS NULL OR ts <= $4)
         ) x ORDER BY b, event_seq DESC`,
        [c.get('principal').accountId, bucket, q.start ?? null, q.end ?? null],
      );
      const equity = rows.map((r) => normalize(String(r.equity)));
      const base = equity[0] ?? '0';
      const baseNum = Number(base);
      return c.json(
        {
          timestamp: rows.map((r) => Number(r.bucket)),
          equity,
          cash: rows.map((r) => normalize(String(r.cash))),
          profit_loss: equity.map((e) => String(Math.round((Number(e) - baseNum) * 100) / 100)),
          base_value: base,
          timeframe: q.timeframe,
        },
        200,
      );
    },
  );

  // ---- positions ----

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/positions',
      tags: ['positions'],
      summary: 'Open positions',
      security: authenticated,
      responses: { 200: jsonResponse(z.array(PositionSchema), 'Positions'), ...errorResponses(401, 403, 429) },
    }),
    (c) => c.json(deps.engine.positions(accountOf(c.get('principal'))), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/positions/{symbol}',
      tags: ['positions'],
      summary: 'One open position',
      security: authenticated,
      request: { params: z.object({ symbol: Symbol }) },
      responses: { 200: jsonResponse(PositionSchema, 'Position'), ...errorResponses(401, 403, 404, 422, 429) },
    }),
    (c) => {
      const { symbol } = c.req.valid('param');
      const pos = deps.engine.position(accountOf(c.get('principal')), symbol);
      if (!pos) throw notFound(`no position in ${symbol}`);
      return c.json(pos, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/positions/{symbol}',
      tags: ['positions'],
      summary: 'Close (part of) a position with a market order',
      security: authenticated,
      request: { params: z.object({ symbol: Symbol }), query: z.object({ qty: PositiveDecimalText.optional() }).strict() },
      responses: { 200: jsonResponse(OrderSchema, 'The closing order'), ...errorResponses(401, 403, 404, 422, 429) },
    }),
    async (c) => {
      const { symbol } = c.req.valid('param');
      const { qty } = c.req.valid('query');
      return c.json(await deps.engine.closePosition(accountOf(c.get('principal')), symbol, qty), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/positions',
      tags: ['positions'],
      summary: 'Close every position; 207 with a status per symbol',
      security: authenticated,
      responses: { 207: jsonResponse(MultiStatusSchema, 'Per-symbol results'), ...errorResponses(401, 403, 429) },
    }),
    async (c) => c.json(await deps.engine.closeAllPositions(accountOf(c.get('principal'))), 207),
  );
}

/** Opaque page tokens over a sequence number. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`s:${seq}`).toString('base64url');
}

export function decodeCursor(token: string): number {
  const m = /^s:(\d{1,16})$/.exec(Buffer.from(token, 'base64url').toString());
  if (!m) throw invalid('page_token is not a token this API issued', 'page_token');
  return Number(m[1]);
}
