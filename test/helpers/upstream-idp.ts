// An upstream OpenID Connect provider for the identity-source tests: a second oidc-provider
// instance on its own port (and host name, so a browser's cookies for the two never mix),
// with a login of its own: a form whose name picks a test person, and an assurance level
// (acr, amr) it states in its ID tokens. Consent is granted as asked.
import { createServer, type Server } from 'node:http';
import type { Context, Next } from 'koa';
import Provider, { type ClientMetadata } from 'oidc-provider';

export interface UpstreamPersonRecord {
  name: string;
  nhi_number?: string;
  email?: string;
  email_verified?: boolean;
}

export const UPSTREAM_PEOPLE: Record<string, UpstreamPersonRecord> = {
  tama: { name: 'Tama Rewi', nhi_number: 'ZZZ0048', email: 'tama@upstream.test', email_verified: true },
  // The same NHI number as the file account acct-alice.
  'alice-at-upstream': { name: 'Alice N.', nhi_number: 'ZZZ0016' },
  // Claims alice's e-mail without the upstream having verified it.
  mallory: { name: 'Mallory', email: 'alice@example.org', email_verified: false },
};

export const UPSTREAM_ACR = 'urn:upstream:loa:3';

export interface RunningUpstream {
  url: string;
  provider: Provider;
  close(): Promise<void>;
}

const page = (body: string) => `<!DOCTYPE html><html><body>${body}</body></html>`;

/** Starts the upstream at http://localhost:<port> with the given clients. */
export async function startUpstream(port: number, clients: ClientMetadata[]): Promise<RunningUpstream> {
  const url = `http://localhost:${port}`;
  const provider = new Provider(url, {
    clients,
    findAccount: (_ctx, sub) => {
      const person = UPSTREAM_PEOPLE[sub];
      return person ? { accountId: sub, claims: () => ({ sub, ...person }) } : undefined;
    },
    // acr and amr with `openid`: its ID tokens always state how the person signed in.
    claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], profile: ['name'], email: ['email', 'email_verified'], nhi: ['nhi_number'] },
    scopes: ['openid', 'profile', 'email', 'nhi'],
    acrValues: [UPSTREAM_ACR],
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['upstream-test-cookie-key-not-a-secret'] },
    pkce: { required: () => true },
  });
  // Its own login: pick a person by name; it states acr and amr (pwd + otp).
  provider.use(async (ctx: Context, next: Next) => {
    const match = /^\/interaction\/([^/]+)$/.exec(ctx.path);
    if (!match) {
      await next();
      return;
    }
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = page(`<form method="post" action="/interaction/${details.uid}"><input name="login" value=""><input type="password" name="password" value=""><button>Sign in upstream</button></form>`);
      return;
    }
    const body = new URLSearchParams(await new Promise<string>((resolve) => {
      let text = '';
      ctx.req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      ctx.req.on('end', () => resolve(text));
    }));
    if (details.prompt.name === 'login') {
      const login = body.get('login') ?? '';
      if (!UPSTREAM_PEOPLE[login]) {
        await provider.interactionFinished(ctx.req, ctx.res, { error: 'access_denied', error_description: 'unknown person' });
        return;
      }
      await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: login, acr: UPSTREAM_ACR, amr: ['pwd', 'otp'] } });
      return;
    }
    const grant = new provider.Grant({ accountId: String(details.session?.accountId), clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  });
  const handle = provider.callback();
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(port, 'localhost', resolve));
  return {
    url,
    provider,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        // Idempotent: a test may have stopped it already.
        server.close(() => resolve());
      }),
  };
}
