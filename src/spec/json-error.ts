/**
 * Where JSON text first goes wrong. JSON.parse (Node 20) often names no position, and a spec's problems
 * are reported by line, so this small checker walks the grammar and returns the offset and what it expected.
 */
export function jsonErrorAt(text: string): { offset: number; message: string } | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (message: string): never => {
    throw { offset: i, message };
  };
  const near = () => (i < text.length ? `unexpected ${JSON.stringify(text[i])}` : 'unexpected end of the file');
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail('a control character (a line break?) inside a string');
      i++;
    }
    if (i >= text.length) fail('a string that is never closed');
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`${near()}: expected a key in double quotes`);
        string();
        ws();
        if (text[i] !== ':') fail(`${near()}: expected ":"`);
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === '}') fail('a comma before "}"');
          continue;
        }
        if (text[i] === '}') return void i++;
        fail(`${near()}: expected "," or "}"`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === ']') fail('a comma before "]"');
          continue;
        }
        if (text[i] === ']') return void i++;
        fail(`${near()}: expected "," or "]"`);
      }
    }
    if (c === '"') return string();
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i)) ?? /^(true|false|null)\b/.exec(text.slice(i));
    if (m && m[0]) return void (i += m[0].length);
    fail(`${near()}: expected a value`);
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`${near()} after the end of the JSON value`);
    return undefined;
  } catch (e) {
    if (e && typeof e === 'object' && 'offset' in e) return e as { offset: number; message: string };
    throw e;
  }
}
