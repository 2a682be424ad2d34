// A small scripted browser over fetch for end-to-end API tests: a cookie jar shared by every port of
// a host (as browsers do), redirects followed across apps, and HTML forms submitted with their hidden fields.
import { formWithAction } from '../identity/browser.ts';

export interface Visit {
  url: URL;
  status: number;
  html: string;
  headers: Headers;
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export class WebClient {
  private readonly jar = new Map<string, Cookie>();
  constructor(private readonly acceptLanguage = 'it') {}

  cookie(name: string): string | undefined {
    return [...this.jar.values()].find((c) => c.name === name)?.value;
  }

  private cookieHeader(url: URL): string {
    return [...this.jar.values()]
      .filter((c) => url.pathname.startsWith(c.path))
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
    if (!headers.has('accept-language')) headers.set('accept-language', this.acceptLanguage);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.store(response.headers);
    return response;
  }

  /** Requests and follows every redirect, across apps. */
  async visit(url: URL | string, init: RequestInit = {}): Promise<Visit> {
    let target = new URL(url);
    let response = await this.request(target, init);
    for (let hops = 0; response.status >= 300 && response.status < 400; hops++) {
      if (hops > 15) throw new Error('too many redirects');
      target = new URL(response.headers.get('location')!, target);
      await response.arrayBuffer();
      response = await this.request(target);
    }
    return { url: target, status: response.status, html: await response.text(), headers: response.headers };
  }

  /** Submits the form whose action ends with actionSuffix, with its hidden fields plus these. */
  async submit(page: Visit, actionSuffix: string, fields: Record<string, string>, options: { omitCsrf?: boolean } = {}): Promise<Visit> {
    const form = formWithAction(page.html, actionSuffix);
    const body = new URLSearchParams({ ...form.hidden, ...fields });
    if (options.omitCsrf) body.delete('_csrf');
    return this.visit(new URL(form.action, page.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  }
}
