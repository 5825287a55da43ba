/** Connection strings never reach a message or log with their password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const k of [...u.searchParams.keys()]) if (/pass|secret|token|key/i.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    // Not a URL (a libpq key=value string, or garbage): hide anything after password=
    return url.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, '$1***').replace(/:\/\/([^:/@]+):([^@]*)@/, '://$1:***@');
  }
}

/** Replaces every occurrence of the URL's password in free text (server error messages echo input). */
export function redactIn(text: string, url: string): string {
  let out = text.split(url).join(redactUrl(url));
  try {
    const pw = decodeURIComponent(new URL(url).password);
    // A long password is replaced wherever it appears; a short one (1–2 characters) only where it stands
    // alone (not inside a word), so that "ab" hides the password without mangling "table".
    if (pw.length >= 3) out = out.split(pw).join('***');
    else if (pw) out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}_])${pw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}_])`, 'gu'), '***');
  } catch {
    /* not a URL */
  }
  return out;
}

/**
 * Another session's query text (pg_stat_activity, a processlist), made safe to print: secrets it may
 * carry are replaced (`PASSWORD '…'` of CREATE/ALTER ROLE or USER, `IDENTIFIED BY '…'`, `password=…` of
 * a connection string, the password of a URL), control characters (terminal escapes among them) are
 * dropped and whitespace runs become one space, and it is cut to `max` characters.
 */
export function safeQueryText(text: string, max = 120): string {
  let s = String(text ?? '');
  // Secrets first, while the quotes are intact.
  s = s.replace(/\b(PASSWORD|IDENTIFIED\s+(?:WITH\s+\S+\s+)?BY)(\s+)(E?'(?:[^']|'')*'?|"(?:[^"]|"")*"?|\$(\w*)\$[\s\S]*?(?:\$\4\$|$)|[^\s;,)]+)/gi, (_m, kw, sp) => `${kw}${sp}'***'`);
  s = s.replace(/\b(password|pass|pwd|secret|token|api_?key)(\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s'";,)]+)/gi, '$1$2***');
  s = s.replace(/(\w+:\/\/[^:/@\s'"]+):([^@\s'"]*)@/g, '$1:***@');
  // Control characters: C0 (tab and newlines become spaces), DEL and C1, and the bidi overrides.
  s = s.replace(/[\t\n\r\v\f]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
  s = s.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
