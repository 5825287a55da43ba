/**
 * Whether an expression (a column default) is volatile: volatile defaults make ADD COLUMN rewrite the
 * table; constants and STABLE/IMMUTABLE expressions are stored once in the catalog.
 * Built-in functions come from a list generated from pg_catalog (catalog-functions.ts); user functions
 * from CREATE FUNCTION statements lint has read, or from pg_proc when a database is given.
 */
import type { Catalog } from './catalog.js';
import { volatileCatalogFunctions, nonVolatileCatalogFunctions } from './catalog-functions.js';
import { strings } from './names.js';
import { catalogFunctionArity } from './catalog-function-arity.js';

export interface VolatilityResult {
  /** `unknown` when some function could not be looked up (then `unknownFunctions` names them). */
  volatility: 'volatile' | 'non-volatile' | 'unknown';
  /** The volatile functions found, by name, for messages. */
  volatileFunctions: string[];
  unknownFunctions: string[];
  /** Of those: calls whose argument count no built-in overload of that name takes (`now(123)`), so a user function of that name. */
  notBuiltin?: string[];
}

/** Whether some built-in overload of `name` takes this call's arguments (by count); true when not known. */
function builtinTakes(name: string, f: any): boolean {
  const arity = catalogFunctionArity.get(name);
  if (!arity || f.func_variadic) return true;
  const n = f.agg_star ? 0 : (f.args?.length ?? 0);
  return arity.counts.has(n) || (arity.atLeast !== undefined && n >= arity.atLeast);
}

export function expressionVolatility(expr: unknown, catalog?: Catalog): VolatilityResult {
  const volatileFunctions: string[] = [];
  const unknownFunctions: string[] = [];
  const notBuiltin: string[] = [];
  walk(expr, (node) => {
    const f = node.FuncCall;
    if (!f) return;
    const parts = strings(f.funcname);
    const name = parts[parts.length - 1]!.toLowerCase();
    const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
    const user = catalog?.functions.get(name);
    if (user !== undefined && schema !== 'pg_catalog') {
      if (user === 'volatile') volatileFunctions.push(name);
    } else if (schema !== 'pg_catalog' && !builtinTakes(name, f)) {
      // No built-in overload takes this many arguments: the call resolves to some other function of that name.
      const n = f.agg_star ? 0 : (f.args?.length ?? 0);
      unknownFunctions.push(`${parts.join('.')}(${n} argument${n === 1 ? '' : 's'})`);
      notBuiltin.push(name);
    } else if ((!schema || schema === 'pg_catalog') && volatileCatalogFunctions.has(name)) volatileFunctions.push(name);
    else if ((!schema || schema === 'pg_catalog') && nonVolatileCatalogFunctions.has(name)) {
      /* stable or immutable */
    } else unknownFunctions.push(parts.join('.'));
  });
  return {
    volatility: volatileFunctions.length ? 'volatile' : unknownFunctions.length ? 'unknown' : 'non-volatile',
    volatileFunctions,
    unknownFunctions,
    ...(notBuiltin.length ? { notBuiltin } : {}),
  };
}

/** Visits every object node of a parse tree, depth-first (iteratively: deep trees do not overflow the stack). */
export function walk(node: unknown, visit: (n: Record<string, any>) => void): void {
  const stack: unknown[] = [node];
  while (stack.length) {
    const n = stack.pop();
    if (Array.isArray(n)) {
      for (let i = n.length - 1; i >= 0; i--) if (n[i] && typeof n[i] === 'object') stack.push(n[i]);
    } else if (n && typeof n === 'object') {
      visit(n as Record<string, any>);
      const values = Object.values(n);
      for (let i = values.length - 1; i >= 0; i--) if (values[i] && typeof values[i] === 'object') stack.push(values[i]);
    }
  }
}
