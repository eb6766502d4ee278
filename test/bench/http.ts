// The load generator's HTTP client: node:http with keep-alive (one socket per worker),
// as little client-side work as possible so the server, not the client, is measured.
// A Jar keeps cookies like a browser without JavaScript (test/helpers/person.ts does
// the same with fetch, which costs the client several times more CPU per request).
import http from 'node:http';

export interface Reply {
  status: number;
  location: string | undefined;
  body: string;
}

export class Jar {
  readonly cookies = new Map<string, string>();

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    let out = '';
    for (const [k, v] of this.cookies) out += `${out ? '; ' : ''}${k}=${v}`;
    return out;
  }

  take(setCookie: string[] | undefined): void {
    for (const header of setCookie ?? []) {
      const semi = header.indexOf(';');
      const pair = semi === -1 ? header : header.slice(0, semi);
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = /;\s*(max-age=0|expires=Thu, 01 Jan 1970)/i.test(header);
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

export class Http {
  readonly agent: http.Agent;
  readonly host: string;
  readonly port: number;
  requests = 0;

  constructor(readonly origin: string, sockets: number) {
    const url = new URL(origin);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  request(method: 'GET' | 'POST', path: string, options: { form?: Record<string, string>; jar?: Jar } = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const cookie = options.jar?.header();
    if (cookie) headers.cookie = cookie;
    this.requests += 1;
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        options.jar?.take(res.headers['set-cookie']);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
