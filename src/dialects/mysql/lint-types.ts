/** The types MySQL/MariaDB rules work with, flowing from the parser (ast.ts) through the classifier (effect.ts) and the session model. */
import type { LintCatalog, LintTypes } from '../dialect.js';
import type { MyStatement } from './ast.js';
import type { MysqlCatalog } from './catalog.js';
import type { MyStatementEffect } from './effect.js';
import type { MyTimeoutState, MyTransactionState } from './session.js';

/** The schema lint keeps (catalog.ts) with the statement side (catalog-apply.ts) behind LintCatalog. */
export type MyLintCatalog = MysqlCatalog & LintCatalog<MyStatement>;

export interface MyLint extends LintTypes {
  stmt: MyStatement;
  effect: MyStatementEffect;
  catalog: MyLintCatalog;
  tx: MyTransactionState;
  timeouts: MyTimeoutState;
}
