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
    if (pw.length >= 3) out = out.split(pw).join('***');
  } catch {
    /* not a URL */
  }
  return out;
}
