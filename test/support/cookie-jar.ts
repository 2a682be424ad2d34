// Cookies and forms for scripted browsers over fetch: a jar honouring Path and expiry (shared by every
// port of a host, as browsers do), and the hidden fields of an HTML form.

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();

  value(name: string): string | undefined {
    return [...this.cookies.values()].find((c) => c.name === name)?.value;
  }

  header(url: URL): string {
    return [...this.cookies.values()]
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const attr = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.split('=')[1];
      const path = attr('path') ?? '/';
      const expires = attr('expires');
      const gone = !value || attr('max-age') === '0' || (expires !== undefined && new Date(expires).getTime() < Date.now());
      if (gone) this.cookies.delete(`${name}|${path}`);
      else this.cookies.set(`${name}|${path}`, { name, value, path });
    }
  }

  /** fetch without following redirects, sending and keeping cookies. */
  async fetch(url: URL | string, init: RequestInit = {}, defaults: Record<string, string> = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.header(target);
    if (cookie) headers.set('cookie', cookie);
    for (const [name, value] of Object.entries(defaults)) if (!headers.has(name)) headers.set(name, value);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.store(response.headers);
    return response;
  }
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

export function formWithAction(html: string, actionSuffix: string): { action: string; hidden: Record<string, string> } {
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const action = /action="([^"]*)"/.exec(match[1]!)?.[1];
    if (!action || !unescape(action).endsWith(actionSuffix)) continue;
    const hidden: Record<string, string> = {};
    for (const input of match[2]!.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      const value = /value="([^"]*)"/.exec(input[0])?.[1];
      if (name) hidden[unescape(name)] = unescape(value ?? '');
    }
    return { action: unescape(action), hidden };
  }
  throw new Error(`no form with action ending in ${actionSuffix}`);
}

/** The url-encoded body of a form: its hidden fields, these fields, optionally without the CSRF token. */
export function formBody(form: { hidden: Record<string, string> }, fields: Record<string, string>, omitCsrf = false): URLSearchParams {
  const body = new URLSearchParams({ ...form.hidden, ...fields });
  if (omitCsrf) body.delete('_csrf');
  return body;
}
