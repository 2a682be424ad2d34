// A minimal browser for driving the identity pages with fetch: a cookie jar honouring Path,
// manual redirects that stop when they leave the identity app, and HTML form submission.
export interface Page {
  kind: 'page';
  url: URL;
  status: number;
  html: string;
  headers: Headers;
}
export interface External {
  kind: 'external';
  /** Where the identity app sent the browser (e.g. the RP's redirect_uri). */
  url: URL;
}
export type Outcome = Page | External;

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export class Browser {
  private readonly jar = new Map<string, Cookie>();
  constructor(private readonly origin: string) {}

  private cookieHeader(url: URL): string {
    return [...this.jar.values()]
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const attr = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.split('=')[1];
      const path = attr('path') ?? '/';
      const expires = attr('expires');
      const gone = !value || attr('max-age') === '0' || (expires !== undefined && new Date(expires).getTime() < Date.now());
      if (gone) this.jar.delete(`${name}|${path}`);
      else this.jar.set(`${name}|${path}`, { name, value, path });
    }
  }

  async request(url: URL | string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(target);
    if (cookie) headers.set('cookie', cookie);
    if (!headers.has('accept')) headers.set('accept', 'text/html');
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.store(response.headers);
    return response;
  }

  /** Requests and follows redirects inside the identity app. */
  async navigate(url: URL | string, init: RequestInit = {}): Promise<Outcome> {
    let target = new URL(url);
    let response = await this.request(target, init);
    for (let hops = 0; response.status >= 300 && response.status < 400; hops++) {
      if (hops > 10) throw new Error('too many redirects');
      const location = new URL(response.headers.get('location')!, target);
      await response.arrayBuffer();
      if (location.origin !== this.origin) return { kind: 'external', url: location };
      target = location;
      response = await this.request(target);
    }
    return { kind: 'page', url: target, status: response.status, html: await response.text(), headers: response.headers };
  }

  /** Submits the form of a page whose action ends with actionSuffix, with its hidden fields plus these. */
  async submit(page: Outcome, actionSuffix: string, fields: Record<string, string>, options: { omitCsrf?: boolean } = {}): Promise<Outcome> {
    if (page.kind !== 'page') throw new Error(`expected a page, got a redirect to ${page.url}`);
    const form = formWithAction(page.html, actionSuffix);
    const body = new URLSearchParams({ ...form.hidden, ...fields });
    if (options.omitCsrf) body.delete('_csrf');
    return this.navigate(new URL(form.action, page.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
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
