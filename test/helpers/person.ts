// A person with a browser that has no JavaScript: keeps cookies, follows redirects,
// fills in and submits the plain HTML forms of the login and consent pages.
export interface Form {
  action: string;
  fields: Record<string, string>;
}

export interface Arrival {
  /** the URL the IdP sent the person to at the relying party */
  url: URL;
  /** the fields of a form_post response, if the response came that way */
  form?: Form;
}

function decode(html: string): string {
  return html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function parseForms(html: string): Form[] {
  const forms: Form[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = match[1] ?? '';
    const action = decode(/action="([^"]*)"/i.exec(attrs)?.[1] ?? '');
    const fields: Record<string, string> = {};
    for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
      const name = /name="([^"]*)"/i.exec(input[1] ?? '')?.[1];
      if (name) fields[name] = decode(/value="([^"]*)"/i.exec(input[1] ?? '')?.[1] ?? '');
    }
    forms.push({ action, fields });
  }
  return forms;
}

export class Person {
  readonly cookies = new Map<string, string>();
  /** the last page the person saw */
  lastPage = '';
  lastStatus = 0;

  constructor(readonly idpOrigin: string) {}

  protected remember(res: Response): void {
    for (const header of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now()));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.remember(res);
    return res;
  }

  /** GET and follow redirects within the IdP; stop at the relying party or at a page. */
  async visit(start: string | URL, init?: RequestInit): Promise<Arrival | undefined> {
    let res = await this.request(start, init);
    let url = new URL(start);
    for (let hops = 0; hops < 20; hops++) {
      if (res.status >= 300 && res.status < 400) {
        const next = new URL(res.headers.get('location') ?? '', url);
        if (next.origin !== this.idpOrigin) return { url: next };
        url = next;
        res = await this.request(next);
        continue;
      }
      this.lastStatus = res.status;
      this.lastPage = await res.text();
      const [form] = parseForms(this.lastPage);
      // The library's form_post response: a form addressed to the relying party.
      if (form && form.action && new URL(form.action, url).origin !== this.idpOrigin) {
        return { url: new URL(form.action), form };
      }
      return undefined;
    }
    throw new Error('too many redirects');
  }

  /** Submit the first form on the current page whose action matches. */
  async submit(actionPart: string, values: Record<string, string>): Promise<Arrival | undefined> {
    const form = parseForms(this.lastPage).find((f) => f.action.includes(actionPart));
    if (!form) throw new Error(`no form with action containing ${actionPart} on the page (status ${this.lastStatus})`);
    const body = new URLSearchParams({ ...form.fields, ...values });
    return this.visit(new URL(form.action, this.idpOrigin), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  }

  /** The whole sign-in: authorization URL → login → consent (if asked) → back at the RP. */
  async signIn(authorizationUrl: URL, opts: { username: string; password: string; consent?: 'approve' | 'deny' }): Promise<Arrival> {
    let arrival = await this.visit(authorizationUrl);
    if (!arrival && this.lastPage.includes('name="password"')) {
      arrival = await this.submit('/login', { username: opts.username, password: opts.password });
    }
    if (!arrival && this.lastPage.includes('name="decision"')) {
      arrival = await this.submit('/confirm', { decision: opts.consent ?? 'approve' });
    }
    if (!arrival) throw new Error(`the sign-in did not come back to the relying party (status ${this.lastStatus}): ${this.lastPage.slice(0, 300)}`);
    return arrival;
  }
}
