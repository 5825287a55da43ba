import { defineRule } from './rule.js';
import type { RuleContext } from './rule.js';
import type { QualifiedName } from '../../core/types.js';
import { biggestTable, checkConditionText, columnsOfType, createdTypeIn, lockPhrase, quoteIdent, sqlBlock, sqlName, suffixedName, valueToColumn } from './helpers.js';
import { sqlLockName } from '../../dialects/postgres/locks.js';
import { claimFor } from '../../dialects/postgres/effects.js';
import { fromNameList } from '../../dialects/postgres/names.js';

export default defineRule({
  id: 'ban-alter-domain-with-add-constraint',
  title: 'Do not add or validate constraints on a domain that tables use',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['AlterDomainStmt'],
  why:
    '`ALTER DOMAIN … ADD CONSTRAINT`, `VALIDATE CONSTRAINT` and `SET NOT NULL` check the values of every column of the domain, in every table that uses it, while holding a SHARE lock on each of those tables: their INSERT, UPDATE and DELETE wait until all of them have been scanned. Unlike table constraints, `NOT VALID` + `VALIDATE` does not help: adding the constraint `NOT VALID` is instant, but the `VALIDATE` that must follow takes the same SHARE lock for the same scan (Postgres 11\u201318).\n\nAdd the rule to each table instead, as a table CHECK constraint: `ADD CONSTRAINT … NOT VALID` is instant, and `VALIDATE CONSTRAINT` on a table scans while reads and writes go on.',
  examples: {
    bad: 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_cap CHECK (VALUE < 1000000);',
    good: '-- the same rule as a table constraint on each column that uses the domain:\nALTER TABLE payments ADD CONSTRAINT payments_amount_cap CHECK (amount < 1000000) NOT VALID;\nALTER TABLE payments VALIDATE CONSTRAINT payments_amount_cap;\n\n-- a domain created in the same migration, not used by any existing table yet:\nCREATE DOMAIN order_ref AS text;\nALTER DOMAIN order_ref ADD CONSTRAINT order_ref_format CHECK (VALUE ~ \'^[A-Z]{3}-[0-9]+$\');',
  },
  peers: ['squawk: ban-alter-domain-with-add-constraint', 'pgfence: ban-alter-domain-add-constraint'],
  check(stmt, ctx) {
    const a = stmt.ast;
    const con = a.subtype === 'C' ? a.def?.Constraint : undefined;
    if (a.subtype !== 'C' && a.subtype !== 'V' && a.subtype !== 'O') return;
    if (a.subtype === 'C' && !con) return;
    const domain = fromNameList(a.typeName);
    const part = ctx.effect.parts[0];
    const known = part?.relations['domain-users'] ?? ctx.catalog.domainUsers(domain);
    const users = known.filter((t) => !ctx.isNew(t));
    // Nothing existing uses a domain made in this migration (or, with --db, one no table uses).
    if (!users.length && (ctx.catalog.complete || createdTypeIn(ctx.previous, domain))) return;

    const notValid = a.subtype === 'C' && !!con.skip_validation;
    const isNotNull = a.subtype === 'O' || con?.contype === 'CONSTR_NOTNULL';
    const scanClaim = claimFor(notValid ? 'alter-domain-validate' : a.subtype === 'V' ? 'alter-domain-validate' : a.subtype === 'O' ? 'alter-domain-set-not-null' : 'alter-domain-add-constraint', ctx.version);
    const mode = scanClaim?.locks.find((l) => l.on === 'domain-users')?.mode ?? 'Share';
    const who = users.length ? users.map(sqlName).join(', ') : `every table with a column of ${sqlName(domain)}`;
    const unknown = users.length ? '' : ' (lockstep does not know which tables use it: lint with --db to name them)';
    const name = sqlName(domain);
    const conname = con?.conname ?? a.name;
    const label = conname ? ` ${quoteIdent(conname)}` : '';
    const adds = con?.conname ? `ADD CONSTRAINT${label}` : con?.contype === 'CONSTR_NOTNULL' ? 'ADD NOT NULL' : 'ADD CHECK';
    const message =
      a.subtype === 'O'
        ? `ALTER DOMAIN ${name} SET NOT NULL scans ${who} under ${lockPhrase(mode)} until every column of the domain is checked${unknown}`
        : a.subtype === 'V'
          ? `ALTER DOMAIN ${name} VALIDATE CONSTRAINT${label} scans ${who} under ${lockPhrase(mode)}: unlike a table\u2019s VALIDATE, a domain\u2019s blocks writes${unknown}`
          : notValid
            ? `ALTER DOMAIN ${name} ${adds} NOT VALID is instant, but the VALIDATE CONSTRAINT it needs scans ${who} under ${lockPhrase(mode)}: for a domain, NOT VALID + VALIDATE does not avoid blocking writes${unknown}`
            : `ALTER DOMAIN ${name} ${adds} scans ${who} under ${lockPhrase(mode)} until every column of the domain is checked${unknown}`;

    // The rule as written on the domain, for the table-level recipe.
    const condition = isNotNull ? undefined : a.subtype === 'V' ? validatedCondition(ctx, domain, a.name) : checkConditionText(stmt, con);
    const columns = columnsOfType(ctx.catalog, domain).filter((c) => !ctx.isNew(c.table));
    const targets = columns.length ? columns : [{ table: { name: '<table>' } as QualifiedName, column: '<column>' }];
    const show = (t: QualifiedName) => (t.name === '<table>' ? '<table>' : sqlName(t));
    const col = (c: string) => (c === '<column>' ? c : quoteIdent(c));
    const cname = (t: QualifiedName, c: string, suffix: string) => (t.name === '<table>' ? `<table>_<column>_${suffix}` : quoteIdent(suffixedName(`${t.name}_${c}`, `_${suffix}`)));
    const validate = claimFor('validate-check', ctx.version);
    const lines: string[] = [];
    for (const { table, column } of targets) {
      if (isNotNull) lines.push(...notNullRecipe(ctx.version, show(table), col(column), cname(table, column, 'not_null')));
      else {
        const c = cname(table, column, 'check');
        lines.push(`ALTER TABLE ${show(table)} ADD CONSTRAINT ${c} CHECK (${condition ? valueToColumn(condition, col(column)) : `<the domain's condition, with VALUE replaced by ${col(column)}>`}) NOT VALID;`, `ALTER TABLE ${show(table)} VALIDATE CONSTRAINT ${c};`);
      }
    }
    const intro = isNotNull
      ? `Make each column that uses ${name} NOT NULL as a table constraint instead, validated while reads and writes go on (${sqlLockName(validate?.locks[0]?.mode ?? 'ShareUpdateExclusive')}):`
      : `Add the rule to each column that uses ${name} as a table CHECK constraint instead: NOT VALID is instant, and a table\u2019s VALIDATE lets reads and writes go on (${sqlLockName(validate?.locks[0]?.mode ?? 'ShareUpdateExclusive')}):`;
    const after =
      a.subtype === 'V' ? `The domain constraint${label} can then be dropped instead of validated: ALTER DOMAIN ${name} DROP CONSTRAINT${label || ' <name>'};` : undefined;
    const table = biggestTable(users, ctx.size);
    ctx.report({
      at: stmt.span.start,
      message,
      fix: sqlBlock(intro, ...lines, after),
      ...(table ? { table } : {}),
    });
  },
});

/** The condition of the NOT VALID domain constraint `conname`, when this migration added it. */
function validatedCondition(ctx: RuleContext, domain: QualifiedName, conname: string | undefined): string | undefined {
  for (const s of ctx.previous) {
    if (s.kind !== 'AlterDomainStmt' || s.ast.subtype !== 'C') continue;
    const d = fromNameList(s.ast.typeName);
    if (d.name !== domain.name || (d.schema ?? 'public') !== (domain.schema ?? 'public')) continue;
    if (s.ast.def?.Constraint?.conname === conname) return checkConditionText(s, s.ast.def.Constraint);
  }
  return undefined;
}

/** NOT NULL on one column without a scan under ACCESS EXCLUSIVE, per version. */
function notNullRecipe(version: number, table: string, column: string, name: string): string[] {
  if (version >= 18) return [`ALTER TABLE ${table} ADD CONSTRAINT ${name} NOT NULL ${column} NOT VALID;`, `ALTER TABLE ${table} VALIDATE CONSTRAINT ${name};`];
  if (version >= 12)
    return [
      `ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${column} IS NOT NULL) NOT VALID;`,
      `ALTER TABLE ${table} VALIDATE CONSTRAINT ${name};`,
      `ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL;  -- uses the valid CHECK, no scan`,
      `ALTER TABLE ${table} DROP CONSTRAINT ${name};`,
    ];
  // 11: SET NOT NULL always scans under ACCESS EXCLUSIVE; the validated CHECK enforces the same rule.
  return [`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${column} IS NOT NULL) NOT VALID;`, `ALTER TABLE ${table} VALIDATE CONSTRAINT ${name};`];
}
