// Admin-only routes: instruments (create, update), account limits, accounts
// (list, disable/enable), session end.
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { changeAccountStatus } from '../http/account-status.ts';
import { requireAuth } from '../http/auth.ts';
import { notFound } from '../http/errors.ts';
import { PositiveDecimal, InstrumentSchema, RiskLimitsInForceSchema, RiskLimitsSchema, Symbol, Text, Uuid, instrumentOut } from '../http/schemas.ts';
import { normalize } from '../venue/records.ts';
import type { EngineService } from '../venue/types.ts';
import { authenticated, errorResponses, jsonBody, jsonResponse } from './common.ts';

const Status = z.enum(['active', 'halted']);
/** Basis points within ±10000 (a fee of at most the whole notional, or such a rebate), 2 decimals at most. */
const FeeBps = z
  .string()
  .regex(/^-?(10000(\.0{1,2})?|\d{1,4}(\.\d{1,2})?)$/, 'must be basis points within ±10000 with at most 2 decimals, e.g. "1.5" or "-0.25"')
  .openapi({ example: '1.5' });

/** What creates an instrument (also the shape of each entry in instruments.json). */
export const InstrumentInputSchema = z
  .object({
    symbol: Symbol,
    name: Text.max(200).optional(),
    price_scale: z.number().int().min(0).max(8).optional().openapi({ description: 'Decimals of the price units (default 4); quantities get 8 − price_scale' }),
    tick_size: PositiveDecimal,
    lot_size: PositiveDecimal,
    min_price: PositiveDecimal,
    max_price: PositiveDecimal,
    min_qty: PositiveDecimal,
    max_qty: PositiveDecimal,
    maker_fee_bps: FeeBps.optional(),
    taker_fee_bps: FeeBps.optional(),
    status: Status.optional(),
  })
  .strict()
  .openapi('NewInstrument');

const InstrumentPatchSchema = z
  .object({ name: Text.max(200).optional(), maker_fee_bps: FeeBps.optional(), taker_fee_bps: FeeBps.optional(), status: Status.optional() })
  .strict()
  .openapi('InstrumentPatch');

const AdminAccount = z
  .object({ id: z.string(), account_number: z.string(), email: z.string(), role: z.string(), status: z.string(), cash: z.string(), created_at: z.string() })
  .openapi('AdminAccount');

const AccountStatusPatch = z
  .object({ status: z.enum(['ACTIVE', 'DISABLED']).openapi({ description: 'DISABLED: the account can read but not trade, and its open orders are canceled' }) })
  .strict()
  .openapi('AccountStatusPatch');
const AccountStatusChanged = AdminAccount.extend({
  canceled_orders: z.array(z.string()).openapi({ description: 'Ids of the open orders canceled by disabling the account' }),
}).openapi('AccountStatusChanged');

type AdminAccountRow = { id: string; account_number: string; engine_account: number; email: string; role: string; status: string; cash: string; created_at: Date };
const ADMIN_ACCOUNT_SQL = 'SELECT a.id, a.account_number, a.engine_account, u.email, u.role, a.status, a.cash, a.created_at FROM accounts a JOIN users u ON u.id = a.user_id';
const adminAccountOut = (engine: EngineService, r: AdminAccountRow): z.infer<typeof AdminAccount> => ({
  id: r.id,
  account_number: r.account_number,
  email: r.email,
  role: r.role,
  status: r.status,
  cash: accountCash(engine, r),
  created_at: r.created_at.toISOString(),
});

/**
 * The engine's cash for the account (in a sharded venue, the sum over the shards, as `/v1/account`
 * reports it; the gateway's own accounts row is not kept up to date); the stored column only while
 * the engine does not know the account yet.
 */
function accountCash(engine: EngineService, r: AdminAccountRow): string {
  try {
    return engine.accountState({ id: r.id, engine_account: Number(r.engine_account) }).cash;
  } catch {
    return normalize(String(r.cash));
  }
}

export function registerAdminRoutes(app: App, deps: AppDeps): void {
  app.on(['POST', 'PATCH', 'PUT'], '/v1/instruments/*', requireAuth(deps, 'admin'));
  app.use('/v1/admin/*', requireAuth(deps, 'admin'));
  const actor = (c: { get(k: 'principal'): { userId: string } }): string => `user:${c.get('principal').userId}`;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/instruments',
      tags: ['instruments', 'admin'],
      summary: 'List a new instrument (admin)',
      security: authenticated,
      request: { body: jsonBody(InstrumentInputSchema) },
      responses: { 201: jsonResponse(InstrumentSchema, 'Listed'), ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429) },
    }),
    async (c) => c.json(instrumentOut(await deps.engine.addInstrument(c.req.valid('json'), actor(c))), 201),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/instruments/{symbol}',
      tags: ['instruments', 'admin'],
      summary: 'Change an instrument’s name, fees or status (admin); the grid and bounds are fixed once listed',
      security: authenticated,
      request: { params: z.object({ symbol: Symbol }), body: jsonBody(InstrumentPatchSchema) },
      responses: { 200: jsonResponse(InstrumentSchema, 'Updated'), ...errorResponses(400, 401, 403, 404, 413, 415, 422, 429) },
    }),
    async (c) => c.json(instrumentOut(await deps.engine.updateInstrument(c.req.valid('param').symbol, c.req.valid('json'), actor(c))), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/admin/accounts',
      tags: ['admin'],
      summary: 'Every account (admin)',
      security: authenticated,
      responses: { 200: jsonResponse(z.array(AdminAccount), 'Accounts'), ...errorResponses(401, 403, 429) },
    }),
    async (c) => {
      await deps.engine.settled();
      const rows = await deps.db.query<AdminAccountRow>(`${ADMIN_ACCOUNT_SQL} ORDER BY a.created_at, a.id`);
      return c.json(rows.map((r) => adminAccountOut(deps.engine, r)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/admin/accounts/{account_id}',
      tags: ['admin'],
      summary: 'Disable or enable an account (admin). A disabled account keeps read access; its trading requests get 403 account_disabled and its open orders are canceled',
      security: authenticated,
      request: { params: z.object({ account_id: Uuid }), body: jsonBody(AccountStatusPatch) },
      responses: { 200: jsonResponse(AccountStatusChanged, 'The account, and the orders canceled'), ...errorResponses(400, 401, 403, 404, 413, 415, 422, 429) },
    }),
    async (c) => {
      const { account_id } = c.req.valid('param');
      const { status } = c.req.valid('json');
      const canceled = await changeAccountStatus(deps, account_id, status);
      if (canceled === undefined) throw notFound(`account ${account_id} not found`);
      deps.logger.info({ account_id, status, canceled: canceled.length, actor: actor(c) }, 'account status changed');
      await deps.engine.settled();
      const [row] = await deps.db.query<AdminAccountRow>(`${ADMIN_ACCOUNT_SQL} WHERE a.id = $1`, [account_id]);
      return c.json({ ...adminAccountOut(deps.engine, row), canceled_orders: canceled }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/admin/accounts/{account_id}/limits',
      tags: ['admin'],
      summary: "Set an account's risk limits (admin; 0 = unlimited)",
      security: authenticated,
      request: { params: z.object({ account_id: Uuid }), body: jsonBody(RiskLimitsSchema) },
      responses: { 200: jsonResponse(RiskLimitsInForceSchema, 'The limits now in force'), ...errorResponses(400, 401, 403, 404, 413, 415, 422, 429) },
    }),
    async (c) => {
      const { account_id } = c.req.valid('param');
      const [row] = await deps.db.query<{ engine_account: number }>('SELECT engine_account FROM accounts WHERE id = $1', [account_id]);
      if (!row) throw notFound(`account ${account_id} not found`);
      return c.json(await deps.engine.setLimits({ id: account_id, engine_account: row.engine_account }, c.req.valid('json'), actor(c)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/admin/session_end',
      tags: ['admin'],
      summary: 'End the trading session: DAY orders expire (one symbol, or all)',
      security: authenticated,
      request: { body: jsonBody(z.object({ symbol: Symbol.optional() }).strict()) },
      responses: { 204: { description: 'Done' }, ...errorResponses(400, 401, 403, 413, 415, 422, 429) },
    }),
    async (c) => {
      await deps.engine.endSession(c.req.valid('json').symbol);
      return c.body(null, 204);
    },
  );
}
