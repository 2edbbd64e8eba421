// Registration, login (short-lived bearer tokens), logout, and API keys.
import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { authRateLimiter } from '../http/auth-rate-limit.ts';
import { forgetKey, hashPassword, issueToken, newApiKey, requireAuth, verifyPassword } from '../http/auth.ts';
import { conflict, notFound, unauthorized } from '../http/errors.ts';
import { Text } from '../http/schemas.ts';
import { authenticated, errorResponses, jsonBody, jsonResponse } from './common.ts';

const Credentials = z
  .object({
    email: z.email().max(254),
    password: z.string().min(8, 'must be at least 8 characters').max(256),
  })
  .strict()
  .openapi('Credentials');

const AccountSummary = z.object({ id: z.string(), account_number: z.string(), status: z.string() });
const UserSchema = z.object({ id: z.string(), email: z.string(), role: z.enum(['user', 'admin']) });
const Registered = z.object({ user: UserSchema, account: AccountSummary }).openapi('Registered');
const Token = z.object({ token: z.string(), token_type: z.literal('Bearer'), expires_at: z.string() }).openapi('Token');
const Scopes = z.array(z.enum(['read', 'trade'])).min(1).max(2);
const NewKey = z.object({ scopes: Scopes.default(['read', 'trade']), label: Text.max(100).default('') }).strict().openapi('NewApiKey');
const KeySchema = z
  .object({ id: z.string(), scopes: Scopes, label: z.string(), created_at: z.string(), revoked_at: z.string().nullable() })
  .openapi('ApiKey');
const CreatedKey = KeySchema.extend({ secret: z.string().openapi({ description: 'Shown once; store it now' }) }).openapi('CreatedApiKey');

/** Creates a user with an account (and opens it in the engine). Throws 409 if the email is taken. */
export async function createUser(
  deps: AppDeps,
  email: string,
  password: string,
  role: 'user' | 'admin' = 'user',
): Promise<{ user: z.infer<typeof UserSchema>; account: { id: string; account_number: string; status: string; engine_account: number } }> {
  const taken = await deps.db.query('SELECT 1 FROM users WHERE lower(email) = lower($1)', [email]);
  if (taken.length > 0) throw conflict('an account with this email already exists', 'email_taken', 'email');
  const hash = await hashPassword(password, deps.config.argon2);
  const userId = randomUUID();
  const accountId = randomUUID();
  let engineAccount: number;
  try {
    engineAccount = await deps.db.transaction(async (tx) => {
      await tx.query('INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, $3, $4)', [userId, email, hash, role]);
      const [row] = await tx.query<{ engine_account: number }>(
        `INSERT INTO accounts (id, user_id, account_number, engine_account)
         VALUES ($1, $2, 'PA' || lpad(nextval('account_number_seq')::text, 8, '0'), nextval('engine_account_seq'))
         RETURNING engine_account`,
        [accountId, userId],
      );
      return row.engine_account;
    });
  } catch (err) {
    // Two registrations of one email racing: the unique index decides.
    if (/users_email_key|duplicate key/.test(String((err as Error).message))) {
      throw conflict('an account with this email already exists', 'email_taken', 'email');
    }
    throw err;
  }
  await deps.engine.openAccount({ id: accountId, engine_account: engineAccount });
  const [acc] = await deps.db.query<{ account_number: string; status: string }>('SELECT account_number, status FROM accounts WHERE id = $1', [accountId]);
  return {
    user: { id: userId, email, role },
    account: { id: accountId, account_number: acc.account_number, status: acc.status, engine_account: engineAccount },
  };
}

/** Creates an API key for an account; returns the secret once. */
export async function createApiKey(
  deps: AppDeps,
  accountId: string,
  scopes: ('read' | 'trade')[],
  label: string,
): Promise<z.infer<typeof CreatedKey>> {
  const key = newApiKey();
  const unique = [...new Set(scopes)];
  const [row] = await deps.db.query<{ created_at: Date }>(
    'INSERT INTO api_keys (id, account_id, secret_hash, scopes, label) VALUES ($1, $2, $3, $4, $5) RETURNING created_at',
    [key.id, accountId, key.secretHash, unique, label],
  );
  return { id: key.id, secret: key.secret, scopes: unique, label, created_at: row.created_at.toISOString(), revoked_at: null };
}

export function registerAuthRoutes(app: App, deps: AppDeps): void {
  const registerLimit = authRateLimiter(deps, 'register');
  const loginLimit = authRateLimiter(deps, 'login');
  app.use('/v1/auth/register', registerLimit.byIp);
  app.use('/v1/auth/login', loginLimit.byIp);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/register',
      tags: ['auth'],
      summary: 'Create a user with a paper account',
      request: { body: jsonBody(Credentials) },
      responses: { 201: jsonResponse(Registered, 'Created'), ...errorResponses(400, 409, 413, 415, 422, 429) },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      await registerLimit.byEmail(c, email);
      const { user, account } = await createUser(deps, email, password);
      return c.json({ user, account: { id: account.id, account_number: account.account_number, status: account.status } }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/login',
      tags: ['auth'],
      summary: 'Exchange email and password for a short-lived bearer token',
      request: { body: jsonBody(Credentials) },
      responses: { 200: jsonResponse(Token, 'A bearer token'), ...errorResponses(400, 401, 413, 415, 422, 429) },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      await loginLimit.byEmail(c, email);
      const [row] = await deps.db.query<{ id: string; password_hash: string; role: 'user' | 'admin'; account_id: string; engine_account: number }>(
        `SELECT u.id, u.password_hash, u.role, a.id AS account_id, a.engine_account
         FROM users u JOIN accounts a ON a.user_id = u.id WHERE lower(u.email) = lower($1)`,
        [email],
      );
      if (!row || !(await verifyPassword(password, row.password_hash))) throw unauthorized('wrong email or password');
      const { token, expiresAt } = await issueToken(deps, { userId: row.id, accountId: row.account_id, engineAccount: row.engine_account, role: row.role });
      return c.json({ token, token_type: 'Bearer' as const, expires_at: expiresAt.toISOString() }, 200);
    },
  );

  app.use('/v1/auth/logout', requireAuth(deps, 'read'));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/logout',
      tags: ['auth'],
      summary: 'Revoke the bearer token used for this request',
      security: authenticated,
      responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 429) },
    }),
    async (c) => {
      const p = c.get('principal');
      if (p.jti !== undefined && p.exp !== undefined) {
        await deps.cache.set(`revoked:${p.jti}`, '1', Math.max(1, p.exp * 1000 - deps.clock.now()));
      }
      return c.body(null, 204);
    },
  );

  app.use('/v1/auth/keys/*', requireAuth(deps, 'trade'));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/keys',
      tags: ['auth'],
      summary: 'Create an API key (its secret is shown once)',
      security: authenticated,
      request: { body: jsonBody(NewKey) },
      responses: { 201: jsonResponse(CreatedKey, 'Created'), ...errorResponses(400, 401, 403, 413, 415, 422, 429) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await createApiKey(deps, c.get('principal').accountId, body.scopes, body.label), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/auth/keys',
      tags: ['auth'],
      summary: "The account's API keys (no secrets)",
      security: authenticated,
      responses: { 200: jsonResponse(z.array(KeySchema), 'Keys'), ...errorResponses(401, 403, 429) },
    }),
    async (c) => {
      const rows = await deps.db.query<{ id: string; scopes: ('read' | 'trade')[]; label: string; created_at: Date; revoked_at: Date | null }>(
        'SELECT id, scopes, label, created_at, revoked_at FROM api_keys WHERE account_id = $1 ORDER BY created_at, id',
        [c.get('principal').accountId],
      );
      return c.json(
        rows.map((r) => ({ id: r.id, scopes: r.scopes, label: r.label, created_at: r.created_at.toISOString(), revoked_at: r.revoked_at?.toISOString() ?? null })),
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/auth/keys/{key_id}',
      tags: ['auth'],
      summary: 'Revoke an API key',
      security: authenticated,
      request: { params: z.object({ key_id: z.string().regex(/^CK[0-9A-F]{20}$/, 'must be an API key id') }) },
      responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 403, 404, 422, 429) },
    }),
    async (c) => {
      const { key_id } = c.req.valid('param');
      const rows = await deps.db.query(
        'UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND account_id = $2 RETURNING id',
        [key_id, c.get('principal').accountId],
      );
      if (rows.length === 0) throw notFound(`API key ${key_id} not found`);
      await forgetKey(deps, key_id);
      return c.body(null, 204);
    },
  );
}
