import { defineRule } from './rule.js';
import type { RuleContext } from './rule.js';
import type { QualifiedName } from '../../core/types.js';
import { key, quoteLiteral } from '../../dialects/postgres/names.js';
import { lex } from '../../dialects/postgres/lexer.js';
import { andList, earlierFacts, lockPhrase, partLocks, quoteIdent, sqlBlock, sqlName, suffixedName } from './helpers.js';

export default defineRule({
  id: 'attach-partition-scan',
  title: 'Prove a partition\u2019s bound with a CHECK constraint before attaching it',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['AlterTableStmt'],
  why:
    '`ATTACH PARTITION` scans every row of the table being attached to check that it fits the partition bound, holding ACCESS EXCLUSIVE on it; when the parent has a DEFAULT partition, that one is scanned too (for rows that belong in the new partition), also under ACCESS EXCLUSIVE, so queries on the parent that reach it wait. From Postgres 12 the parent itself only gets SHARE UPDATE EXCLUSIVE; on Postgres 11 it is locked ACCESS EXCLUSIVE for the whole scan.\n\n' +
    'Postgres skips a scan when a valid CHECK constraint already proves it. Add a CHECK matching the bound to the table while it is not attached (`NOT VALID`, then `VALIDATE`, which does not block reads or writes), and one excluding the bound to the DEFAULT partition; then `ATTACH` only checks the catalog, and the CHECK can be dropped. lockstep stays quiet when the catalog shows a valid CHECK constraint on the table (it assumes it matches the bound), and for a table created in the same migration.',
  examples: {
    bad: "ALTER TABLE orders ATTACH PARTITION orders_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
    good:
      "ALTER TABLE orders_2026 ADD CONSTRAINT orders_2026_bound CHECK (created_at IS NOT NULL AND created_at >= '2026-01-01' AND created_at < '2027-01-01') NOT VALID;\nALTER TABLE orders_2026 VALIDATE CONSTRAINT orders_2026_bound;\nALTER TABLE orders ATTACH PARTITION orders_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\nALTER TABLE orders_2026 DROP CONSTRAINT orders_2026_bound;",
  },
  peers: ['pgfence: attach-partition'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'attach-partition' || !part.claim) continue;
      const parent = part.relations.table?.[0];
      const partition = part.relations.partition?.[0];
      if (!parent || !partition || ctx.isNew(parent)) continue;
      const def = part.relations['default-partition']?.[0];
      const bound = part.node.def?.PartitionCmd?.bound;
      const scansPartition = !ctx.isNew(partition) && !hasValidCheck(ctx, partition) && !checkedInThisMigration(ctx, partition);
      const scansDefault = !!def && !ctx.isNew(def) && !checkedInThisMigration(ctx, def);
      if (!scansPartition && !scansDefault) continue;
      const mode = (role: string) => part.claim!.locks.find((l) => l.on === role)?.mode ?? 'AccessExclusive';
      const [P, D, T] = [sqlName(partition), def ? sqlName(def) : '', sqlName(parent)];
      const scanned = [scansPartition && `every row of ${P} (to check it fits the bound)`, scansDefault && `the DEFAULT partition ${D} (for rows that belong in the new partition)`].filter(
        (s): s is string => !!s,
      );
      const held = partLocks(part, (_rel, role) => (role === 'partition' && scansPartition) || (role === 'default-partition' && scansDefault));
      const parentMode = mode('table');
      const message =
        parentMode === 'AccessExclusive'
          ? `ATTACH PARTITION ${P} holds ${lockPhrase(parentMode)} on ${T} while it scans ${andList(scanned)}`
          : `ATTACH PARTITION ${P} scans ${andList(scanned)} while holding ${held}${scansDefault ? ` (queries on ${T} that reach ${D} wait)` : ''}`;

      // The CHECK expression that proves the bound, from the bound and the partition key.
      // The catalog does not keep partition keys, and a parent created in this migration is not flagged, so the key is a placeholder.
      const boundText = stmt.text.slice(stmt.at(bound?.location) - stmt.span.start);
      const expr = bound && !bound.is_default ? boundExpr(bound, boundText, parent) : undefined;
      const steps: (string | undefined)[] = [];
      if (expr) {
        const pName = quoteIdent(suffixedName(partition.name, '_bound'));
        const dName = def ? quoteIdent(suffixedName(`${def.name}_not_${partition.name}`, '')) : '';
        if (scansPartition) steps.push(`ALTER TABLE ${P} ADD CONSTRAINT ${pName} CHECK (${expr.sql}) NOT VALID;`, `ALTER TABLE ${P} VALIDATE CONSTRAINT ${pName};`);
        if (scansDefault) steps.push(`ALTER TABLE ${D} ADD CONSTRAINT ${dName} CHECK (NOT (${expr.sql})) NOT VALID;`, `ALTER TABLE ${D} VALIDATE CONSTRAINT ${dName};`);
        steps.push(`${stmt.text.trim()};`);
        if (scansPartition) steps.push(`ALTER TABLE ${P} DROP CONSTRAINT ${pName};  -- redundant once attached`);
        if (scansDefault) steps.push(`ALTER TABLE ${D} DROP CONSTRAINT ${dName};  -- optional: redundant once attached`);
      }
      ctx.report({
        at: part.at,
        table: scansPartition ? partition : def!,
        message,
        fix: expr
          ? sqlBlock(
              `Prove the bound with ${scansPartition && scansDefault ? 'CHECK constraints' : 'a CHECK constraint'} first, ${andList([scansPartition ? `on ${P} while it is not attached` : '', scansDefault ? `on the DEFAULT partition ${D}` : ''].filter(Boolean))} (NOT VALID is instant; VALIDATE scans without blocking reads or writes), so ATTACH only checks the catalog:`,
              ...steps,
              `(lockstep does not know the partition key of ${T}: put its column${expr.keys > 1 ? 's' : ''} in place of <partition key${expr.keys > 1 ? ' 1>, <partition key 2' : ''}>.)`,
            )
          : sqlBlock(
              `Postgres skips the scan when a valid CHECK constraint on ${scansPartition ? P : D} proves ${scansPartition ? 'its rows fit the bound' : 'it has no rows for the new partition'}: add one first (ADD CONSTRAINT \u2026 CHECK (\u2026) NOT VALID, then VALIDATE CONSTRAINT, which does not block reads or writes), attach, then drop it.`,
            ),
      });
    }
  },
});

/** The catalog shows a valid CHECK constraint on the table: assume it proves the bound. */
function hasValidCheck(ctx: RuleContext, t: QualifiedName): boolean {
  for (const c of ctx.catalog.table(t)?.constraints.values() ?? []) if (c.kind === 'check' && c.valid) return true;
  return false;
}

/** A CHECK constraint was added to the table earlier in this migration and is valid by now (added without NOT VALID, or validated since): assume it proves the bound. */
function checkedInThisMigration(ctx: RuleContext, t: QualifiedName): boolean {
  for (const valid of earlierFacts(ctx.previous).checks.get(key(t))?.values() ?? []) if (valid) return true;
  return false;
}

/** Top-level parenthesized groups of `text`, each split on top-level commas (strings, quoted names and comments are whole tokens). */
function groups(text: string): string[][] {
  const out: string[][] = [];
  let depth = 0;
  let items: string[] = [];
  let first = -1; // the current item's first and last token
  let last = -1;
  const item = () => text.slice(first, last).trim();
  for (const t of lex(text, { comments: false })) {
    const ch = t.kind === 'punct' ? text[t.start] : '';
    if (ch === '(' && depth++ === 0) {
      items = [];
      first = -1;
      continue;
    }
    if (ch === ')' && depth > 0 && --depth === 0) {
      items.push(first < 0 ? '' : item());
      out.push(items);
      continue;
    }
    if (ch === ',' && depth === 1) {
      items.push(first < 0 ? '' : item());
      first = -1;
      continue;
    }
    if (depth > 0) {
      if (first < 0) first = t.start;
      last = t.end;
    }
  }
  return out;
}

const isWord = (node: any, w: string) => node?.ColumnRef?.fields?.[0]?.String?.sval?.toLowerCase() === w;

/** The boolean expression a CHECK constraint needs to prove the partition bound (as Postgres writes the partition constraint). */
function boundExpr(bound: any, text: string, parent: QualifiedName): { sql: string; keys: number } | undefined {
  const g = groups(text);
  const width = bound.strategy === 'r' ? (bound.lowerdatums ?? []).length : 1;
  const keys = width === 1 ? ['<partition key>'] : Array.from({ length: width }, (_, i) => `<partition key ${i + 1}>`);
  if (bound.strategy === 'r') {
    const lo: any[] = bound.lowerdatums ?? [];
    const hi: any[] = bound.upperdatums ?? [];
    const [loText, hiText] = [g[0] ?? [], g[1] ?? []];
    if (loText.length !== lo.length || hiText.length !== hi.length) return undefined;
    const lower = (i: number): string | undefined => {
      if (isWord(lo[i], 'minvalue')) return undefined;
      const rest = i + 1 < lo.length ? lower(i + 1) : undefined;
      return rest === undefined ? `${keys[i]} >= ${loText[i]}` : `(${keys[i]} > ${loText[i]} OR (${keys[i]} = ${loText[i]} AND ${rest}))`;
    };
    const upper = (i: number): string | undefined => {
      if (isWord(hi[i], 'maxvalue')) return undefined;
      if (i + 1 === hi.length) return `${keys[i]} < ${hiText[i]}`;
      const rest = upper(i + 1);
      return rest === undefined ? `${keys[i]} <= ${hiText[i]}` : `(${keys[i]} < ${hiText[i]} OR (${keys[i]} = ${hiText[i]} AND ${rest}))`;
    };
    const parts = [...keys.map((k) => `${k} IS NOT NULL`), lower(0), upper(0)].filter((s): s is string => !!s);
    return { sql: parts.join(' AND '), keys: keys.length };
  }
  if (bound.strategy === 'l') {
    const datums: any[] = bound.listdatums ?? [];
    const vals = g[0] ?? [];
    if (vals.length !== datums.length) return undefined;
    const k = keys[0]!;
    const nonNull = vals.filter((_, i) => !datums[i]?.A_Const?.isnull);
    const hasNull = nonNull.length < vals.length;
    const inList = nonNull.length ? `${k} IN (${nonNull.join(', ')})` : undefined;
    const sql = hasNull ? (inList ? `${k} IS NULL OR ${inList}` : `${k} IS NULL`) : `${k} IS NOT NULL AND ${inList}`;
    return { sql, keys: 1 };
  }
  if (bound.strategy === 'h') {
    return { sql: `satisfies_hash_partition(${quoteLiteral(sqlName(parent))}::regclass, ${bound.modulus ?? 0}, ${bound.remainder ?? 0}, ${keys.join(', ')})`, keys: keys.length };
  }
  return undefined;
}
