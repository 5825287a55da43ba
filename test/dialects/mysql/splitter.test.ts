/** Statement boundaries of MySQL/MariaDB files: terminators, DELIMITER, compound bodies without DELIMITER. */
import { describe, expect, test } from 'vitest';
import { splitMysql } from '../../../src/dialects/mysql/splitter.js';

const pieces = (sql: string, base = 0) => {
  const { tokens, pieces } = splitMysql(sql, base);
  return pieces.map((p) => sql.slice(tokens[p.from]!.start - base, tokens[p.to - 1]!.end - base));
};

describe('mysql splitter', () => {
  test('splits at ; outside strings, identifiers and comments', () => {
    expect(pieces("SELECT ';';\n-- a;b\nSELECT `x;y` /* ; */ FROM t;;  # c;\nSELECT 2")).toEqual(["SELECT ';'", 'SELECT `x;y` /* ; */ FROM t', 'SELECT 2']);
  });

  test('DELIMITER blocks', () => {
    const sql = [
      'DELIMITER $$',
      'CREATE PROCEDURE p()',
      'BEGIN',
      '  SELECT 1;',
      '  SELECT 2;',
      'END$$',
      'DELIMITER ;',
      'CALL p();',
    ].join('\n');
    expect(pieces(sql)).toEqual(['DELIMITER $$', 'CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND', 'DELIMITER ;', 'CALL p()']);
  });

  test('compound bodies without DELIMITER stay whole (golang-migrate / Flyway files)', () => {
    const trigger = `CREATE DEFINER=\`root\`@\`%\` TRIGGER trg BEFORE UPDATE ON t FOR EACH ROW
BEGIN
  IF NEW.a > 1 THEN
    SET NEW.b = CASE WHEN NEW.a > 5 THEN 1 ELSE 2 END;
  ELSEIF NEW.a < 0 THEN SET NEW.b = 0;
  END IF;
  lbl: LOOP
    LEAVE lbl;
  END LOOP lbl;
  WHILE 0 DO SET @x = 1; END WHILE;
  REPEAT SET @y = 1; UNTIL 1 END REPEAT;
  CASE NEW.a WHEN 1 THEN SET @z = 1; ELSE BEGIN END; END CASE;
  inner_block: BEGIN SELECT 1; END inner_block;
END`;
    const fn = `CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END`;
    const ev = `CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; DELETE FROM u; END`;
    const anon = `BEGIN NOT ATOMIC SELECT 1; SELECT 2; END`;
    const sql = `${trigger};\nALTER TABLE t ADD c INT;\n${fn};\n${ev};\n${anon};\nBEGIN;\nCOMMIT;`;
    expect(pieces(sql)).toEqual([trigger, 'ALTER TABLE t ADD c INT', fn, ev, anon, 'BEGIN', 'COMMIT']);
  });

  test('a trigger with a single-statement body ends at its ;', () => {
    expect(pieces('CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW SET @a = 1; SELECT 1;')).toEqual(['CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW SET @a = 1', 'SELECT 1']);
  });

  test('columns named begin/end in a table do not open blocks', () => {
    expect(pieces('CREATE TABLE t (`begin` int, end int, `case` int); SELECT 1;')).toEqual(['CREATE TABLE t (`begin` int, end int, `case` int)', 'SELECT 1']);
  });

  test('offsets are file offsets with a base', () => {
    const { tokens, pieces: p } = splitMysql('SELECT 1; SELECT 2', 50);
    expect(tokens[p[1]!.from]!.start).toBe(60);
  });
});
