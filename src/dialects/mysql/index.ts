/** The MySQL/MariaDB dialect: the parser, catalog-apply and classifier behind the Dialect of dialect.ts. */
import { createMysqlDialect } from './dialect.js';
import { parseMysql } from './parser.js';
import { comments } from './lexer.js';
import { applyStatement } from './catalog-apply.js';
import { classifyMysql } from './classify.js';
import { foreignKeyChecksFor } from './session.js';

export type { MyLint } from './lint.js';

const base = createMysqlDialect({
  parse: (text, base, server) => parseMysql(text, base, { server }),
  comments: (text, server) => comments(text, 0, { server }),
  applyStatement: (catalog, stmt, migration, server) => applyStatement(catalog, stmt, migration, { flavor: server.flavor }),
  classify: (stmt, { server, catalog, session }) => {
    const flavor = server.flavor === 'mariadb' ? 'mariadb' : 'mysql';
    const t = session.timeouts;
    return classifyMysql(stmt, { server, catalog, session: { foreignKeyChecks: foreignKeyChecksFor(stmt, t, flavor).on, sqlModeStrict: t.strict.on ?? true } });
  },
});

/** `lockstep rehearse` on MySQL/MariaDB (a scratch server), loaded only when that command runs. */
export const mysql: typeof base = { ...base, rehearse: async () => (await import('./rehearse/index.js')).mysqlRehearser };
