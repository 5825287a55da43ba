/** Secrets and control characters never reach a message: redactIn (short passwords too) and safeQueryText. */
import { describe, expect, test } from 'vitest';
import { redactIn, safeQueryText } from '../../src/core/redact.js';

describe('redactIn', () => {
  test('a long password is replaced wherever it appears', () => {
    expect(redactIn('auth failed for s3cret-pw (s3cret-pw)', 'postgres://u:s3cret-pw@h/db')).toBe('auth failed for *** (***)');
  });
  test('a password of 1 or 2 characters is replaced where it stands alone, not inside words', () => {
    const url = 'postgres://u:ab@h/db';
    expect(redactIn('connect postgres://u:ab@h/db: password ab rejected; table tab', url)).toBe('connect postgres://u:***@h/db: password *** rejected; table tab');
    expect(redactIn('x=7 and 7', 'postgres://u:7@h/db')).toBe('x=*** and ***');
    expect(redactIn('nothing here', 'postgres://u@h/db')).toBe('nothing here');
  });
});

describe('safeQueryText', () => {
  test('role passwords, connection-string passwords and URL passwords are hidden', () => {
    expect(safeQueryText("ALTER ROLE app PASSWORD 'hunter2'")).toBe("ALTER ROLE app PASSWORD '***'");
    expect(safeQueryText("CREATE USER x WITH ENCRYPTED PASSWORD 'it''s secret' VALID UNTIL 'infinity'")).toBe("CREATE USER x WITH ENCRYPTED PASSWORD '***' VALID UNTIL 'infinity'");
    expect(safeQueryText("SELECT dblink_connect('host=db user=u password=topsecret dbname=x')")).toBe("SELECT dblink_connect('host=db user=u password=*** dbname=x')");
    expect(safeQueryText("SELECT * FROM dblink('postgres://u:pw123@db/x', 'select 1')")).toBe("SELECT * FROM dblink('postgres://u:***@db/x', 'select 1')");
    // Cut before the closing quote (a long query): still hidden.
    expect(safeQueryText("ALTER USER bob PASSWORD 'abcdefgh")).toBe("ALTER USER bob PASSWORD '***'");
  });
  test('control characters and terminal escapes are dropped, whitespace folded, length capped', () => {
    expect(safeQueryText('SELECT 1\n\tFROM t\x1b[2J\x1b]0;owned\x07 WHERE x\u202e = 1')).toBe('SELECT 1 FROM t[2J]0;owned WHERE x = 1');
    const long = safeQueryText(`SELECT ${'x, '.repeat(100)}1`, 40);
    expect(long).toHaveLength(40);
    expect(long.endsWith('…')).toBe(true);
    expect(safeQueryText('SELECT * FROM orders WHERE id = $1')).toBe('SELECT * FROM orders WHERE id = $1');
  });
});
