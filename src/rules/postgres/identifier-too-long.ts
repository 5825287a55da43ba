import { defineRule } from './rule.js';
import type { Statement } from '../../dialects/postgres/parser.js';
import { identifierTokens, MAX_IDENTIFIER_BYTES, quoteIdent, quoteLiteral, sqlBlock, truncateIdentifier } from './helpers.js';
import { strings } from '../../dialects/postgres/names.js';

/** Statements that define a name. */
const kinds = [
  'CreateStmt',
  'CreateForeignTableStmt',
  'CreateTableAsStmt',
  'ViewStmt',
  'AlterTableStmt',
  'IndexStmt',
  'CreateSeqStmt',
  'CreateDomainStmt',
  'AlterDomainStmt',
  'CreateEnumStmt',
  'AlterEnumStmt',
  'CompositeTypeStmt',
  'CreateRangeStmt',
  'DefineStmt',
  'CreateSchemaStmt',
  'CreateFunctionStmt',
  'CreateTrigStmt',
  'CreateEventTrigStmt',
  'CreatePolicyStmt',
  'RuleStmt',
  'CreateStatsStmt',
  'RenameStmt',
  'CreateRoleStmt',
  'CreatePublicationStmt',
  'CreateSubscriptionStmt',
] as const;

/** A quick test before tokenizing: some word or quoted name long enough to reach 64 bytes. */
/** Cheap pre-check: could the text hold a name over 63 bytes? (ASCII needs 64 characters; non-ASCII at least 16.) */
function mayHoldLongName(text: string): boolean {
  // One pass: the longest run of identifier characters (any non-ASCII counts, and a quote starts a run).
  let run = 0;
  let nonAscii = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ident = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c >= 128;
    if (ident) {
      run++;
      if (c >= 128) nonAscii = true;
      if (run >= 64 || (nonAscii && run >= 16)) return true;
    } else if (c === 34 /* " */) {
      let close = text.indexOf('"', i + 1);
      while (close >= 0 && text.charCodeAt(close + 1) === 34) close = text.indexOf('"', close + 2); // "" is a quote inside the name
      if (close < 0 || close - i - 1 >= 16) return true;
      i = close;
      run = 0;
    } else {
      run = 0;
      nonAscii = false;
    }
  }
  return false;
}

export default defineRule({
  id: 'identifier-too-long',
  title: 'Keep names within 63 bytes',
  category: 'correctness',
  severity: 'warning',
  kinds,
  why:
    'Postgres keeps at most 63 bytes of a name (NAMEDATALEN − 1) and silently cuts longer ones, with only a NOTICE. The object gets the cut name: two long names that share their first 63 bytes collide (`relation … already exists`), and anything that looks the object up by its full name as a string (a catalog query, an ORM comparing index names, a `to_regclass(\'…\')` check in a deploy script) does not find it. The limit is in bytes of UTF-8, so a name with accented or non-Latin letters reaches it with fewer characters.\n\nEnum labels have the same limit but are not cut: a longer label is an error.',
  examples: {
    bad: 'CREATE INDEX CONCURRENTLY index_orders_on_customer_id_and_fulfillment_center_id_and_created_at ON orders (customer_id, fulfillment_center_id, created_at);',
    good: 'CREATE INDEX CONCURRENTLY orders_customer_center_created_idx ON orders (customer_id, fulfillment_center_id, created_at);',
  },
  peers: ['squawk: identifier-too-long'],
  check(stmt, ctx) {
    if (stmt.kind === 'CreateEnumStmt' || stmt.kind === 'AlterEnumStmt') checkLabels(stmt, ctx.report);
    if (!mayHoldLongName(stmt.text)) return;
    const defined = definedNames(stmt);
    if (!defined.size) return;
    const seen = new Map<string, string>(); // full name → its truncation
    for (const tok of identifierTokens(stmt.text)) {
      const bytes = Buffer.byteLength(tok.name, 'utf8');
      if (bytes <= MAX_IDENTIFIER_BYTES || seen.has(tok.name)) continue;
      const cut = truncateIdentifier(tok.name);
      if (!defined.has(cut)) continue;
      const twin = [...seen].find(([, c]) => c === cut)?.[0];
      seen.set(tok.name, cut);
      const chars = [...tok.name].length;
      ctx.report({
        at: { start: stmt.span.start + tok.start, end: stmt.span.start + tok.end },
        message: `${quoteIdent(tok.name)} is ${bytes} bytes${chars !== bytes ? ` (${chars} characters)` : ''}: Postgres silently truncates it to ${quoteIdent(cut)} (${Buffer.byteLength(cut, 'utf8')} bytes)${
          twin ? `, the same name as ${quoteIdent(twin)} earlier in this statement` : ', so a second name sharing those bytes collides with it, and code that looks it up by the full name as a string does not find it'
        }`,
        fix: sqlBlock(`Choose a name of at most ${MAX_IDENTIFIER_BYTES} bytes, e.g. what Postgres would make of it:`, quoteIdent(cut)),
      });
    }
  },
});

/** Enum labels over 63 bytes are rejected, not truncated. */
function checkLabels(stmt: Statement, report: (r: { at: number; message: string; severity: 'error'; fix: string }) => void): void {
  const labels = stmt.kind === 'CreateEnumStmt' ? strings(stmt.ast.vals) : stmt.ast.newVal ? [stmt.ast.newVal as string] : [];
  for (const label of labels) {
    const bytes = Buffer.byteLength(label, 'utf8');
    if (bytes <= MAX_IDENTIFIER_BYTES) continue;
    const i = stmt.text.indexOf(quoteLiteral(label));
    report({
      at: stmt.span.start + Math.max(0, i),
      severity: 'error',
      message: `enum label ${quoteLiteral(label)} is ${bytes} bytes: Postgres rejects labels longer than ${MAX_IDENTIFIER_BYTES} bytes ("invalid enum label")`,
      fix: `Use a label of at most ${MAX_IDENTIFIER_BYTES} bytes.`,
    });
  }
}

/** The names `stmt` defines, as the parser hands them over (already cut to 63 bytes). */
function definedNames(stmt: Statement): Set<string> {
  const out = new Set<string>();
  const add = (n: unknown) => {
    if (typeof n === 'string' && n) out.add(n);
  };
  const last = (list: any[] | undefined) => add(strings(list).pop());
  const columnDef = (d: any) => {
    add(d?.colname);
    for (const c of d?.constraints ?? []) add(c.Constraint?.conname);
  };
  const tableElts = (elts: any[] | undefined) => {
    for (const e of elts ?? []) {
      if (e.ColumnDef) columnDef(e.ColumnDef);
      else add(e.Constraint?.conname);
    }
  };
  const a = stmt.ast;
  switch (stmt.kind) {
    case 'CreateStmt':
      add(a.relation?.relname);
      tableElts(a.tableElts);
      break;
    case 'CreateForeignTableStmt':
      add(a.base?.relation?.relname);
      tableElts(a.base?.tableElts);
      break;
    case 'CreateTableAsStmt':
      add(a.into?.rel?.relname);
      for (const c of strings(a.into?.colNames)) add(c);
      break;
    case 'ViewStmt':
      add(a.view?.relname);
      for (const c of strings(a.aliases)) add(c);
      break;
    case 'AlterTableStmt':
      for (const raw of a.cmds ?? []) {
        const cmd = raw.AlterTableCmd;
        if (cmd?.subtype === 'AT_AddColumn') columnDef(cmd.def?.ColumnDef);
        else if (cmd?.subtype === 'AT_AddConstraint') add(cmd.def?.Constraint?.conname);
      }
      break;
    case 'IndexStmt':
      add(a.idxname);
      break;
    case 'CreateSeqStmt':
      add(a.sequence?.relname);
      break;
    case 'CreateDomainStmt':
      last(a.domainname);
      for (const c of a.constraints ?? []) add(c.Constraint?.conname);
      break;
    case 'AlterDomainStmt':
      add(a.def?.Constraint?.conname);
      break;
    case 'CreateEnumStmt':
    case 'CreateRangeStmt':
      last(a.typeName);
      break;
    case 'CompositeTypeStmt':
      add(a.typevar?.relname);
      for (const c of a.coldeflist ?? []) add(c.ColumnDef?.colname);
      break;
    case 'DefineStmt':
      last(a.defnames);
      break;
    case 'CreateSchemaStmt':
      add(a.schemaname);
      break;
    case 'CreateFunctionStmt':
      last(a.funcname);
      for (const p of a.parameters ?? []) add(p.FunctionParameter?.name);
      break;
    case 'CreateTrigStmt':
    case 'CreateEventTrigStmt':
      add(a.trigname);
      break;
    case 'CreatePolicyStmt':
      add(a.policy_name);
      break;
    case 'RuleStmt':
      add(a.rulename);
      break;
    case 'CreateStatsStmt':
      last(a.defnames);
      break;
    case 'RenameStmt':
      add(a.newname);
      break;
    case 'CreateRoleStmt':
      add(a.role);
      break;
    case 'CreatePublicationStmt':
      add(a.pubname);
      break;
    case 'CreateSubscriptionStmt':
      add(a.subname);
      break;
  }
  return out;
}
