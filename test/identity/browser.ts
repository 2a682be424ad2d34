// A minimal browser for driving the identity pages with fetch: redirects followed until they leave
// the identity app, and HTML form submission.
import { CookieJar, formBody, formWithAction } from '../support/cookie-jar.ts';

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

export class Browser {
  private readonly jar = new CookieJar();
  constructor(private readonly origin: string) {}

  request(url: URL | string, init: RequestInit = {}): Promise<Response> {
    return this.jar.fetch(url, init, { accept: 'text/html' });
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
    return this.navigate(new URL(form.action, page.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formBody(form, fields, options.omitCsrf),
    });
  }
}
