// Whether an account may trade. An admin can disable an account (Alpaca's
// account status DISABLED): its trading requests then get 403
// `account_disabled` while reads keep working, so its owner can still see the
// account, its orders and positions. The status lives in `accounts.status`;
// the cache holds a copy (set on every change, refreshed from the database
// after ACCOUNT_STATUS_CACHE_MS) so a trading request costs one cache read.
import type { AppDeps } from '../deps.ts';

/** The statuses an account can have (the `accounts.status` check constraint). */
export type AccountStatus = 'ACTIVE' | 'DISABLED';

const ACCOUNT_STATUS_CACHE_MS = 60_000;

/** Cache key of an account's status. */
const statusKey = (accountId: string): string => `account-status:${accountId}`;

/** True when the account is disabled (read through the cache). */
export async function accountDisabled(deps: AppDeps, accountId: string): Promise<boolean> {
  let status = await deps.cache.get(statusKey(accountId));
  if (status === undefined) {
    const [row] = await deps.db.query<{ status: AccountStatus }>('SELECT status FROM accounts WHERE id = $1', [accountId]);
    status = row?.status ?? 'ACTIVE';
    await deps.cache.set(statusKey(accountId), status, ACCOUNT_STATUS_CACHE_MS);
  }
  return status === 'DISABLED';
}

/** Stores an account's status and its cached copy; false when there is no such account. */
export async function setAccountStatus(deps: AppDeps, accountId: string, status: AccountStatus): Promise<boolean> {
  const rows = await deps.db.query('UPDATE accounts SET status = $2 WHERE id = $1 RETURNING id', [accountId, status]);
  if (rows.length === 0) return false;
  await deps.cache.set(statusKey(accountId), status, ACCOUNT_STATUS_CACHE_MS);
  return true;
}

/**
 * Sets an account's status and blocks or unblocks it in the engine (its kill
 * switch): blocking cancels the account's open orders, and the engine rejects
 * any order that got past the HTTP check before the status changed. Returns
 * the ids of the canceled orders, or undefined when there is no such account.
 */
export async function changeAccountStatus(deps: AppDeps, accountId: string, status: AccountStatus): Promise<string[] | undefined> {
  if (!(await setAccountStatus(deps, accountId, status))) return undefined;
  const [row] = await deps.db.query<{ engine_account: number }>('SELECT engine_account FROM accounts WHERE id = $1', [accountId]);
  return deps.engine.setTradingBlocked({ id: accountId, engine_account: row.engine_account }, status === 'DISABLED');
}
