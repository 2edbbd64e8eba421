// The user's strategy source → a strategy module, in a worker. The source is an ES module (the same file the CLI
// runs), imported from a Blob URL; errors are located in that source: a syntax error at the first error node of
// Lezer's JavaScript parse (the engine's SyntaxError carries no position for a module), an exception at the
// first stack frame inside the Blob URL.
import { parser } from '@lezer/javascript';
import type { StrategyModule } from '../runtime/types.ts';

/** Where in the strategy source something went wrong (1-based). */
export interface SourceLocation {
  line: number;
  column?: number;
}

/** A compiled strategy: the module, and the URL its frames carry in stack traces. */
export interface CompiledStrategy {
  module: StrategyModule;
  url: string;
}

/** An error in the user's strategy, with its place in the source when it can be found. */
export class StrategyError extends Error {
  constructor(
    message: string,
    readonly kind: 'syntax' | 'exception' | 'shape',
    readonly location?: SourceLocation,
  ) {
    super(message);
    this.name = 'StrategyError';
  }
}

/** 1-based line and column of an offset. */
function lineColumn(source: string, offset: number): SourceLocation {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** The first syntax error Lezer finds (its error recovery stops right where the text stops parsing). */
export function syntaxErrorAt(source: string): SourceLocation | undefined {
  let at: number | undefined;
  parser.parse(source).iterate({
    enter(node) {
      if (at !== undefined) return false;
      if (node.type.isError) at = node.from;
      return undefined;
    },
  });
  return at === undefined ? undefined : lineColumn(source, at);
}

/** The first stack frame inside `url` (Chromium `(url:L:C)`, Firefox and Safari `@url:L:C`). */
export function frameIn(stack: string | undefined, url: string): SourceLocation | undefined {
  if (!stack) return undefined;
  const at = stack.indexOf(`${url}:`);
  if (at < 0) return undefined;
  const m = /^:(\d+):(\d+)/.exec(stack.slice(at + url.length));
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

/** Imports the source as an ES module; a syntax error or an exception at load becomes a located StrategyError. */
export async function compileStrategy(source: string): Promise<CompiledStrategy> {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  let module: StrategyModule;
  try {
    module = (await import(/* @vite-ignore */ url)) as StrategyModule;
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new StrategyError(`SyntaxError: ${err.message}`, 'syntax', syntaxErrorAt(source) ?? frameIn(err.stack, url));
    }
    throw located(err, url);
  }
  const main = module.default as unknown;
  if (main === null || (typeof main !== 'object' && typeof main !== 'function')) {
    throw new StrategyError(
      'the strategy must `export default` an object with onBar/onTrade/… callbacks, or a function (params) => such an object',
      'shape',
    );
  }
  return { module, url };
}

/** An exception thrown by strategy code, as a StrategyError at its line in the source (when the stack shows it). */
export function located(err: unknown, url: string): StrategyError {
  if (err instanceof StrategyError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const where = frameIn(e.stack, url);
  return new StrategyError(`${e.name}: ${e.message}`, 'exception', where);
}
