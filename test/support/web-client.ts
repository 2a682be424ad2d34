// A small scripted browser over fetch for end-to-end API tests: redirects followed across apps, and
// HTML forms submitted with their hidden fields.
import { CookieJar, formBody, formWithAction } from './cookie-jar.ts';

export interface Visit {
  url: URL;
  status: number;
  html: string;
  headers: Headers;
}

export class WebClient {
  private readonly jar = new CookieJar();
  constructor(private readonly acceptLanguage = 'it') {}

  cookie(name: string): string | undefined {
    return this.jar.value(name);
  }

  request(url: URL | string, init: RequestInit = {}): Promise<Response> {
    return this.jar.fetch(url, init, { accept: 'text/html', 'accept-language': this.acceptLanguage });
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
    return this.visit(new URL(form.action, page.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formBody(form, fields, options.omitCsrf),
    });
  }
}
