#!/usr/bin/env node
// The `cift` command line. Runs the TypeScript sources through tsx's loader,
// so there is no build step.
import { readFileSync } from 'node:fs';

const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

const USAGE = `Usage: cift <command> [options]

Commands:
  serve [--port N] [--no-demo]
                     Run the HTTP server on Node (port: --port, else $PORT, else 8000;
                     data: $CIFT_DATA_DIR, else ./.cift-data; the demo market runs
                     unless --no-demo or CIFT_DEMO=0). With CIFT_SHARDS set: the
                     gateway of a scaled-out venue (routes commands to workers)
  worker --shard NAME
                     Run the engine worker of one shard of CIFT_SHARDS (scale-out;
                     needs DATABASE_URL and NATS_URL)
  bench [--url URL] [--duration S]
                     Load-test the HTTP API (quote reads, order placement) against a
                     running server or a temporary one ('cift bench --help')
  admin <command>    Admin helpers on the data directory: create-instrument, create-account,
                     create-key ('cift admin --help')
  backtest <file>    Run a strategy file on historical data ('cift backtest --help')
  help               Show this help

Options:
  -h, --help         Show this help
  -v, --version      Print the version`;

/** Prints a usage error and exits with status 2. */
function usageError(message) {
  console.error(`cift: ${message}`);
  console.error("Run 'cift --help' for usage.");
  process.exit(2);
}

async function serve(args) {
  let portArg;
  let demo = true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') {
      console.log('Usage: cift serve [--port N] [--no-demo]\n\nRuns the HTTP server on Node (port: --port, else $PORT, else 8000).\n--no-demo: no demo market (also CIFT_DEMO=0).');
      return;
    } else if (arg === '--no-demo') {
      demo = false;
    } else if (arg === '--port' || arg === '-p') {
      portArg = args[++i];
      if (portArg === undefined) usageError(`${arg} needs a value`);
    } else if (arg.startsWith('--port=')) {
      portArg = arg.slice('--port='.length);
    } else {
      usageError(`unknown option for serve: '${arg}'`);
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  if (process.env.CIFT_SHARDS) {
    const { runGateway, scaleoutSettingsFromEnv } = await import('../src/scaleout/node.ts');
    const { parsePort } = await import('../src/serve-options.ts');
    let settings;
    try {
      settings = scaleoutSettingsFromEnv(process.env);
      if (portArg !== undefined) settings.port = parsePort(portArg, '--port');
    } catch (err) {
      usageError(err.message);
    }
    try {
      await runGateway(settings.port, settings);
    } catch (err) {
      console.error(`cift: ${err.message}`);
      process.exit(1);
    }
    return;
  }
  const { parsePort, runNode } = await import('../src/node.ts');
  const { serveOptionsFromEnv } = await import('../src/serve-options.ts');
  let opts;
  try {
    opts = serveOptionsFromEnv(process.env);
    if (portArg !== undefined) opts.port = parsePort(portArg, '--port');
    if (!demo) opts.venue.demo = false;
  } catch (err) {
    usageError(err.message);
  }
  try {
    await runNode(opts.port, opts.venue);
  } catch (err) {
    console.error(`cift: ${err.message}`);
    process.exit(1);
  }
}

async function worker(args) {
  let shard;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') {
      console.log(
        'Usage: cift worker --shard NAME\n\nRuns the engine worker of shard NAME of CIFT_SHARDS (e.g. "a=AAPL,MSFT;b=SPY"):\n' +
          "it consumes its symbols' commands from JetStream (NATS_URL) and keeps its tables in\nPostgreSQL (DATABASE_URL, schema <prefix>_shard_NAME).",
      );
      return;
    } else if (arg === '--shard') {
      shard = args[++i];
      if (shard === undefined) usageError('--shard needs a value');
    } else if (arg.startsWith('--shard=')) {
      shard = arg.slice('--shard='.length);
    } else {
      usageError(`unknown option for worker: '${arg}'`);
    }
  }
  if (!shard) usageError('worker needs --shard NAME (a shard of CIFT_SHARDS)');
  const { register } = await import('tsx/esm/api');
  register();
  const { runWorker, scaleoutSettingsFromEnv } = await import('../src/scaleout/node.ts');
  let settings;
  try {
    settings = scaleoutSettingsFromEnv(process.env);
    if (!settings.worker.map.shard(shard)) throw new Error(`--shard: '${shard}' is not in CIFT_SHARDS (shards: ${settings.worker.map.shards.map((s) => s.name).join(', ')})`);
  } catch (err) {
    usageError(err.message);
  }
  try {
    await runWorker(shard, settings);
  } catch (err) {
    console.error(`cift: ${err.message}`);
    process.exit(1);
  }
}

async function admin(args) {
  const { register } = await import('tsx/esm/api');
  register();
  const { runAdmin, CliError } = await import('../src/cli-admin.ts');
  try {
    console.log(await runAdmin(args));
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`cift: ${err.message}`);
      if (err.exitCode === 2) console.error("Run 'cift admin --help' for usage.");
      process.exit(err.exitCode);
    }
    console.error(`cift: ${err.message}`);
    process.exit(1);
  }
}

async function bench(args) {
  const { register } = await import('tsx/esm/api');
  register();
  const { runBenchCli, BenchCliError } = await import('../src/cli-bench.ts');
  try {
    console.log(await runBenchCli(args));
  } catch (err) {
    console.error(`cift bench: ${err.message}`);
    if (err instanceof BenchCliError && err.exitCode === 2) console.error("Run 'cift bench --help' for usage.");
    process.exit(err instanceof BenchCliError ? err.exitCode : 1);
  }
}

async function backtest(args) {
  const { register } = await import('tsx/esm/api');
  register();
  const { runBacktestCli, BacktestCliError } = await import('../src/cli-backtest.ts');
  try {
    console.log(await runBacktestCli(args));
  } catch (err) {
    console.error(`cift backtest: ${err.message}`);
    if (err instanceof BacktestCliError && err.exitCode === 2) console.error("Run 'cift backtest --help' for usage.");
    process.exit(err instanceof BacktestCliError ? err.exitCode : 1);
  }
}

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'admin':
    await admin(args);
    break;
  case 'backtest':
    await backtest(args);
    break;
  case 'bench':
    await bench(args);
    break;
  case 'serve':
    await serve(args);
    break;
  case 'worker':
    await worker(args);
    break;
  case 'help':
  case '-h':
  case '--help':
    console.log(USAGE);
    break;
  case '-v':
  case '--version':
    console.log(version);
    break;
  case undefined:
    console.error(USAGE);
    process.exit(2);
    break;
  default:
    usageError(`unknown command '${command}'`);
}
