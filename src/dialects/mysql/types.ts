/** Column types as the server prints them (information_schema.COLUMNS.COLUMN_TYPE) → MyColumnType. */
import type { MyColumnType } from './catalog.js';

/** `varchar(100)`, `int(11) unsigned zerofill`, `decimal(10,2)`, `enum('a','it''s')`, `set('x','y')`, `double`. */
export function parseColumnType(text: string): MyColumnType {
  const t = text.trim();
  const m = /^([a-z][a-z0-9 ]*?)\s*(?:\((.*)\))?\s*((?:unsigned|signed|zerofill|\s)*)$/is.exec(t);
  if (!m) return { name: t.toLowerCase(), text: t };
  const name = m[1]!.toLowerCase().replace(/\s+/g, ' ');
  const args = m[2];
  const mods = (m[3] ?? '').toLowerCase();
  const out: MyColumnType = { name, text: t, ...(/unsigned/.test(mods) ? { unsigned: true } : {}) };
  if (args === undefined) return out;
  if (name === 'enum' || name === 'set') return { ...out, members: quotedList(args) };
  const [len, scale] = args.split(',').map((x) => Number(x.trim()));
  return { ...out, ...(Number.isFinite(len) ? { length: len } : {}), ...(scale !== undefined && Number.isFinite(scale) ? { scale } : {}) };
}

/** `'a','it''s','b\'c'` → ['a', "it's", "b'c"]. */
function quotedList(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const q = s[i];
    if (q !== "'" && q !== '"') {
      i++;
      continue;
    }
    let v = '';
    i++;
    while (i < s.length) {
      if (s[i] === '\\' && i + 1 < s.length) {
        v += s[i + 1];
        i += 2;
      } else if (s[i] === q && s[i + 1] === q) {
        v += q;
        i += 2;
      } else if (s[i] === q) {
        i++;
        break;
      } else v += s[i++];
    }
    out.push(v);
  }
  return out;
}
