/**
 * Whether an expression (a column default) is volatile: volatile defaults make ADD COLUMN rewrite the
 * table; constants and STABLE/IMMUTABLE expressions are stored once in the catalog.
 * Built-in functions come from a list generated from pg_catalog (catalog-functions.ts); user functions
 * from CREATE FUNCTION statements lint has read, or from pg_proc when a database is given.
 */
import type { Catalog } from './catalog.js';
import { volatileCatalogFunctions, nonVolatileCatalogFunctions } from './catalog-functions.js';
import { strings } from './names.js';

export interface VolatilityResult {
  /** `unknown` when some function could not be looked up (then `unknownFunctions` names them). */
  volatility: 'volatile' | 'non-volatile' | 'unknown';
  /** The volatile functions found, by name, for messages. */
  volatileFunctions: string[];
  unknownFunctions: string[];
}

export function expressionVolatility(expr: unknown, catalog?: Catalog): VolatilityResult {
  const volatileFunctions: string[] = [];
  const unknownFunctions: string[] = [];
  walk(expr, (node) => {
    const f = node.FuncCall;
    if (!f) return;
    const parts = strings(f.funcname);
    const name = parts[parts.length - 1]!.toLowerCase();
    const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
    const user = catalog?.functions.get(name);
    if (user !== undefined && schema !== 'pg_catalog') {
      if (user === 'volatile') volatileFunctions.push(name);
    } else if ((!schema || schema === 'pg_catalog') && volatileCatalogFunctions.has(name)) volatileFunctions.push(name);
    else if ((!schema || schema === 'pg_catalog') && nonVolatileCatalogFunctions.has(name)) {
      /* stable or immutable */
    } else unknownFunctions.push(parts.join('.'));
  });
  return {
    volatility: volatileFunctions.length ? 'volatile' : unknownFunctions.length ? 'unknown' : 'non-volatile',
    volatileFunctions,
    unknownFunctions,
  };
}

/** Visits every object node of a parse tree, depth-first. */
export function walk(node: unknown, visit: (n: Record<string, any>) => void): void {
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit);
  } else if (node && typeof node === 'object') {
    visit(node as Record<string, any>);
    for (const v of Object.values(node)) if (v && typeof v === 'object') walk(v, visit);
  }
}
