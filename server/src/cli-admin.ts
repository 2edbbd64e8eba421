// `cift admin …`: admin helpers that open the venue's data directory directly
// (the server must be stopped: the directory is locked while a venue has it open).
import { parseArgs } from 'node:util';
import { createLogger, DEFAULT_DATA_DIR, openVenue } from './boot.ts';
import { serviceOptionsFromEnv } from './production/services.ts';
import { configFromEnv } from './boot.ts';
import { createApiKey, createUser } from './routes/auth.ts';
import { InstrumentInputSchema } from './routes/admin.ts';
import { changeAccountStatus } from './http/account-status.ts';
import { ApiError } from './http/errors.ts';

export const ADMIN_USAGE = `Usage: cift admin <command> [options]   (stop the server first)

Commands:
  create-instrument --symbol S --tick-size D --lot-size D --min-price D --max-price D
                    --min-qty D --max-qty D [--price-scale N] [--maker-fee-bps D] [--taker-fee-bps D] [--name TEXT]
  create-account    --email E --password P [--admin]      prints the new account as JSON
  create-key        --email E [--scopes read,trade] [--label TEXT]   prints the key id and secret (shown once)
  disable-account   --email E    the account can read but not trade; its open orders are canceled
  enable-account    --email E    the account can trade again

Options:
  --data-dir DIR    the venue's data directory (default: $CIFT_DATA_DIR, else ${DEFAULT_DATA_DIR})
  -h, --help        show this help`;

/** A CLI failure with its exit status (2: usage, 1: the operation failed). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

const OPTIONS = {
  'data-dir': { type: 'string' },
  symbol: { type: 'string' },
  name: { type: 'string' },
  'tick-size': { type: 'string' },
  'lot-size': { type: 'string' },
  'min-price': { type: 'string' },
  'max-price': { type: 'string' },
  'min-qty': { type: 'string' },
  'max-qty': { type: 'string' },
  'price-scale': { type: 'string' },
  'maker-fee-bps': { type: 'string' },
  'taker-fee-bps': { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  admin: { type: 'boolean' },
  scopes: { type: 'string' },
  label: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs one admin command; returns what to print. */
export async function runAdmin(argv: string[]): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const { values: v, positionals } = parsed;
  const command = positionals[0];
  if (v.help || command === undefined) return ADMIN_USAGE;
  if (positionals.length > 1) throw new CliError(`unexpected argument '${positionals[1]}'`, 2);
  const need = (name: keyof typeof v): string => {
    const value = v[name];
    if (typeof value !== 'string' || value === '') throw new CliError(`${command} needs --${name}`, 2);
    return value;
  };
  let job: (venue: Awaited<ReturnType<typeof openVenue>>) => Promise<unknown>;
  switch (command) {
    case 'create-instrument': {
      const input = {
        symbol: need('symbol'),
        tick_size: need('tick-size'),
        lot_size: need('lot-size'),
        min_price: need('min-price'),
        max_price: need('max-price'),
        min_qty: need('min-qty'),
        max_qty: need('max-qty'),
        ...(v.name !== undefined ? { name: v.name } : {}),
        ...(v['price-scale'] !== undefined ? { price_scale: Number(v['price-scale']) } : {}),
        ...(v['maker-fee-bps'] !== undefined ? { maker_fee_bps: v['maker-fee-bps'] } : {}),
        ...(v['taker-fee-bps'] !== undefined ? { taker_fee_bps: v['taker-fee-bps'] } : {}),
      };
      const checked = InstrumentInputSchema.safeParse(input);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        throw new CliError(`--${String(issue.path[0]).replaceAll('_', '-')}: ${issue.message}`, 2);
      }
      job = async (venue) => venue.deps.engine.addInstrument(checked.data, 'cli');
      break;
    }
    case 'create-account': {
      const email = need('email');
      const password = need('password');
      if (password.length < 8) throw new CliError('--password must be at least 8 characters', 2);
      job = async (venue) => {
        const { user, account } = await createUser(venue.deps, email, password, v.admin ? 'admin' : 'user');
        return { user, account: { id: account.id, account_number: account.account_number, status: account.status } };
      };
      break;
    }
    case 'create-key': {
      const email = need('email');
      const scopes = (v.scopes ?? 'read,trade').split(',');
      if (!scopes.every((s) => s === 'read' || s === 'trade')) throw new CliError('--scopes must be read, trade or read,trade', 2);
      job = async (venue) => {
        const [row] = await venue.deps.db.query<{ id: string }>(
          'SELECT a.id FROM accounts a JOIN users u ON u.id = a.user_id WHERE lower(u.email) = lower($1)',
          [email],
        );
        if (!row) throw new CliError(`no account for ${email}`, 1);
        return createApiKey(venue.deps, row.id, scopes as ('read' | 'trade')[], v.label ?? '');
      };
      break;
    }
    case 'disable-account':
    case 'enable-account': {
      const email = need('email');
      const status = command === 'disable-account' ? 'DISABLED' : 'ACTIVE';
      job = async (venue) => {
        const [row] = await venue.deps.db.query<{ id: string }>(
          'SELECT a.id FROM accounts a JOIN users u ON u.id = a.user_id WHERE lower(u.email) = lower($1)',
          [email],
        );
        if (!row) throw new CliError(`no account for ${email}`, 1);
        const canceled = await changeAccountStatus(venue.deps, row.id, status);
        return { id: row.id, email, status, canceled_orders: canceled ?? [] };
      };
      break;
    }
    default:
      throw new CliError(`unknown admin command '${command}'`, 2);
  }
  const env = configFromEnv();
  const venue = await openVenue({
    dataDir: v['data-dir'] ?? process.env.CIFT_DATA_DIR ?? DEFAULT_DATA_DIR,
    instrumentsFile: null,
    logger: createLogger('warn'),
    config: env,
    services: serviceOptionsFromEnv(process.env),
    // An admin command changes only what it says: DAY orders wait for the server's own session close.
    sessionClose: 'off',
  });
  try {
    return JSON.stringify(await job(venue), null, 2);
  } catch (err) {
    if (err instanceof ApiError) throw new CliError(`${err.message}${err.field ? ` (${err.field})` : ''}`, 1);
    throw err;
  } finally {
    await venue.close();
  }
}
