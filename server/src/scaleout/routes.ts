// Routes only a gateway has: the account's cash per shard, and transfers
// between shards (the only way cash moves from one shard's ledger to another's).
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.ts';
import { PositiveDecimal } from '../http/schemas.ts';
import { accountOf, authenticated, errorResponses, jsonBody, jsonResponse } from '../routes/common.ts';
import type { ShardedEngineService } from './sharded-engine.ts';

const ShardName = z.string().regex(/^[a-z][a-z0-9]{0,7}$/, 'must be a shard name from CIFT_SHARDS');

const ShardCashSchema = z
  .object({
    shard: z.string(),
    symbols: z.array(z.string()),
    home: z.boolean(),
    cash: z.string().nullable(),
    buying_power: z.string().nullable(),
    reserved: z.string().nullable(),
  })
  .openapi('ShardCash');

const TransferBody = z
  .object({
    from: ShardName.openapi({ example: 'a' }),
    to: ShardName.openapi({ example: 'b' }),
    amount: PositiveDecimal.openapi({ description: 'Money, at most 2 decimals', example: '1000.00' }),
  })
  .strict();

const TransferSchema = z
  .object({ id: z.string(), kind: z.enum(['deposit', 'withdrawal']), amount: z.string(), cash_after: z.string(), created_at: z.string() })
  .openapi('TransferDebit');

/** Registers /v1/account/shards and /v1/account/transfers (authenticated by the account routes' middleware). */
export function registerShardRoutes(app: App, engine: ShardedEngineService, homeShard: (engineAccount: number) => string, symbols: (shard: string) => string[]): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/account/shards',
      tags: ['account'],
      summary: "The account's cash on each shard (each shard's engine spends only its own)",
      security: authenticated,
      responses: { 200: jsonResponse(z.array(ShardCashSchema), 'Per shard'), ...errorResponses(401, 403, 429, 503) },
    }),
    (c) => {
      const acc = accountOf(c.get('principal'));
      const home = homeShard(acc.engine_account);
      return c.json(
        engine.accountStateByShard(acc).map(({ shard, state }) => ({
          shard,
          symbols: symbols(shard),
          home: shard === home,
          cash: state?.cash ?? null,
          buying_power: state?.buying_power ?? null,
          reserved: state?.reserved ?? null,
        })),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/account/transfers',
      tags: ['account'],
      summary: "Move cash from one shard's ledger to another's (debited now, credited when the destination runs it)",
      security: authenticated,
      request: { body: jsonBody(TransferBody) },
      responses: { 201: jsonResponse(TransferSchema, 'The debit, recorded'), ...errorResponses(400, 401, 403, 413, 415, 422, 429, 503) },
    }),
    async (c) => {
      const { from, to, amount } = c.req.valid('json');
      return c.json(await engine.transfer(accountOf(c.get('principal')), from, to, amount), 201);
    },
  );
}
