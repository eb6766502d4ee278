// The workloads. Each has a per-worker setup (outside the timed rounds) and an `op`, one
// unit of work whose latency is recorded. Every op checks what it got (status, pages
// seen, token shape) so a target that answers errors fast cannot look fast.
import { createHash, randomBytes } from 'node:crypto';
import { parseForms } from '../helpers/person.js';
import { Jar, type Http, type Reply } from './http.js';
import { BENCH_API, BENCH_SCOPE, PASSWORDS, REDIRECT, SERVICE_CLIENT, SERVICE_SECRET, WEB_CLIENT, WEB_SECRET } from './shared.js';

export interface Workload<S = unknown> {
  name: string;
  /** what one op is, for the table's legend */
  describe: string;
  /** JWS signatures the IdP makes per op (for the fraction of the signing limit) */
  signatures: number;
  /** the algorithm of those signatures */
  alg?: 'ES256' | 'PS256';
  setup(http: Http): Promise<S>;
  op(http: Http, state: S): Promise<void>;
}

interface Tokens {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  token_type: string;
}

const b64 = (n: number) => randomBytes(n).toString('base64url');

function json<T>(reply: Reply, expected: number, what: string): T {
  if (reply.status !== expected) throw new Error(`${what}: HTTP ${reply.status} ${reply.body.slice(0, 200)}`);
  return JSON.parse(reply.body) as T;
}

function header(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Throw unless the access token is an RFC 9068 JWT signed with `alg`. */
function expectJwtAccessToken(token: string, alg: string): void {
  const h = header(token);
  if (h.typ !== 'at+jwt' || h.alg !== alg) throw new Error(`expected an at+jwt ${alg} access token, got ${JSON.stringify(h)}`);
}

type Arrival = { page: Reply; path: string } | { rp: URL };

/** GET (or POST) and follow redirects inside the IdP; stop at a page or at the client. */
async function follow(http: Http, jar: Jar, method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Arrival> {
  let reply = await http.request(method, path, { jar, ...(form ? { form } : {}) });
  let current = path;
  for (let hops = 0; hops < 10; hops++) {
    if (reply.status < 300 || reply.status >= 400) return { page: reply, path: current };
    const next = new URL(reply.location ?? '', http.origin + current);
    if (next.origin !== http.origin) return { rp: next };
    current = next.pathname + next.search;
    reply = await http.request('GET', current, { jar });
  }
  throw new Error('too many redirects');
}

async function submit(http: Http, jar: Jar, page: Reply, actionPart: string, values: Record<string, string>): Promise<Arrival> {
  const form = parseForms(page.body).find((f) => f.action.includes(actionPart));
  if (!form) throw new Error(`no ${actionPart} form (HTTP ${page.status}): ${page.body.slice(0, 200)}`);
  return follow(http, jar, 'POST', form.action, { ...form.fields, ...values });
}

export interface SignInResult {
  tokens: Tokens;
  sawLogin: boolean;
  sawConsent: boolean;
}

/**
 * The confidential web client's sign-in: PAR → /authorize → login form → consent form
 * (when asked) → back at the client with `code id_token` in the fragment → code
 * exchange with the PKCE verifier. The client checks `state`; it does not verify the ID
 * tokens (that is the client's CPU, not the IdP's).
 */
export async function signIn(http: Http, jar: Jar, extra: Record<string, string> = {}, scope = `openid profile ${BENCH_SCOPE}`, username = 'alice'): Promise<SignInResult> {
  const verifier = b64(32);
  const state = b64(16);
  const par = json<{ request_uri: string }>(
    await http.request('POST', '/par', {
      form: {
        client_id: WEB_CLIENT.client_id,
        client_secret: WEB_SECRET,
        response_type: 'code id_token',
        redirect_uri: REDIRECT,
        scope,
        resource: BENCH_API.es256,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        state,
        nonce: b64(16),
        ...extra,
      },
    }),
    201,
    'PAR',
  );
  let arrival = await follow(http, jar, 'GET', `/authorize?client_id=${WEB_CLIENT.client_id}&request_uri=${encodeURIComponent(par.request_uri)}`);
  let sawLogin = false;
  let sawConsent = false;
  if ('page' in arrival && arrival.page.body.includes('name="password"')) {
    sawLogin = true;
    arrival = await submit(http, jar, arrival.page, '/login', { username, password: PASSWORDS.alice });
  }
  if ('page' in arrival && arrival.page.body.includes('name="decision"')) {
    sawConsent = true;
    arrival = await submit(http, jar, arrival.page, '/confirm', { decision: 'approve' });
  }
  if (!('rp' in arrival)) throw new Error(`the flow did not return to the client (HTTP ${arrival.page.status}): ${arrival.page.body.slice(0, 300)}`);
  const response = new URLSearchParams(arrival.rp.hash.slice(1));
  if (response.get('state') !== state) throw new Error(`state mismatch or error: ${arrival.rp.hash.slice(0, 200)}`);
  const code = response.get('code');
  if (!code || !response.get('id_token')) throw new Error(`no code and id_token in the response: ${arrival.rp.hash.slice(0, 200)}`);
  const tokens = json<Tokens>(
    await http.request('POST', '/token', {
      form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, client_id: WEB_CLIENT.client_id, client_secret: WEB_SECRET },
    }),
    200,
    'code exchange',
  );
  expectJwtAccessToken(tokens.access_token, 'ES256');
  return { tokens, sawLogin, sawConsent };
}

function clientCredentials(resource: string, alg: 'ES256' | 'PS256' | undefined) {
  return async (http: Http): Promise<void> => {
    const tokens = json<Tokens>(
      await http.request('POST', '/token', {
        form: { grant_type: 'client_credentials', client_id: SERVICE_CLIENT.client_id, client_secret: SERVICE_SECRET, resource, scope: BENCH_SCOPE },
      }),
      200,
      'client_credentials',
    );
    if (alg) expectJwtAccessToken(tokens.access_token, alg);
    else if (tokens.access_token.includes('.')) throw new Error('expected an opaque access token');
  };
}

const none = () => Promise.resolve(undefined);

export const ccEs256: Workload<undefined> = {
  name: 'client_credentials ES256',
  describe: 'POST /token grant_type=client_credentials → JWT access token (ES256)',
  signatures: 1,
  alg: 'ES256',
  setup: none,
  op: clientCredentials(BENCH_API.es256, 'ES256'),
};

export const ccPs256: Workload<undefined> = {
  name: 'client_credentials PS256',
  describe: 'POST /token grant_type=client_credentials → JWT access token (PS256)',
  signatures: 1,
  alg: 'PS256',
  setup: none,
  op: clientCredentials(BENCH_API.ps256, 'PS256'),
};

/** Stored, short-lived tokens: used by the memory-growth case, not in the table. */
export const ccOpaque: Workload<undefined> = {
  name: 'client_credentials opaque',
  describe: 'POST /token grant_type=client_credentials → opaque access token (stored, 2 s TTL)',
  signatures: 0,
  setup: none,
  op: clientCredentials(BENCH_API.opaque, undefined),
};

/** The next account that has not consented yet, per target (see benchAccounts). */
const nextAccount = new WeakMap<Http, number>();

export const flowNew: Workload<undefined> = {
  name: 'user flow, new consent',
  describe: 'new browser, an account that has not consented yet: PAR → authorize → login form → consent form → code exchange (PKCE); 9 HTTP requests',
  signatures: 3,
  alg: 'ES256',
  setup: none,
  async op(http) {
    const n = nextAccount.get(http) ?? 0;
    nextAccount.set(http, n + 1);
    const result = await signIn(http, new Jar(), {}, undefined, `bench-${n}`);
    if (!result.sawLogin || !result.sawConsent) throw new Error('expected both the login and the consent form');
  },
};

export const flowConsented: Workload<Jar> = {
  name: 'user flow, consent on file',
  describe: 'same browser, consent already given, prompt=login: PAR → authorize → login form → code exchange (PKCE); 6 HTTP requests',
  signatures: 3,
  alg: 'ES256',
  async setup(http) {
    const jar = new Jar();
    await signIn(http, jar);
    return jar;
  },
  async op(http, jar) {
    const result = await signIn(http, jar, { prompt: 'login' });
    if (!result.sawLogin || result.sawConsent) throw new Error(`expected the login form only (login ${result.sawLogin}, consent ${result.sawConsent})`);
  },
};

export const refreshRotation: Workload<{ refresh: string }> = {
  name: 'refresh rotation',
  describe: 'POST /token grant_type=refresh_token → new refresh token (rotated), JWT access token, ID token',
  signatures: 2,
  alg: 'ES256',
  async setup(http) {
    const { tokens } = await signIn(http, new Jar(), { prompt: 'consent' }, `openid profile offline_access ${BENCH_SCOPE}`);
    if (!tokens.refresh_token) throw new Error('no refresh token issued');
    return { refresh: tokens.refresh_token };
  },
  async op(http, state) {
    const tokens = json<Tokens>(
      await http.request('POST', '/token', {
        form: { grant_type: 'refresh_token', refresh_token: state.refresh, client_id: WEB_CLIENT.client_id, client_secret: WEB_SECRET },
      }),
      200,
      'refresh',
    );
    if (!tokens.refresh_token || tokens.refresh_token === state.refresh) throw new Error('the refresh token did not rotate');
    expectJwtAccessToken(tokens.access_token, 'ES256');
    state.refresh = tokens.refresh_token;
  },
};

function get(path: string, mustInclude: string) {
  return async (http: Http): Promise<void> => {
    const reply = await http.request('GET', path);
    if (reply.status !== 200 || !reply.body.includes(mustInclude)) throw new Error(`GET ${path}: HTTP ${reply.status}`);
  };
}

export const discovery: Workload<undefined> = {
  name: 'discovery GET',
  describe: 'GET /.well-known/openid-configuration',
  signatures: 0,
  setup: none,
  op: get('/.well-known/openid-configuration', '"issuer"'),
};

export const jwks: Workload<undefined> = {
  name: 'JWKS GET',
  describe: 'GET /jwks',
  signatures: 0,
  setup: none,
  op: get('/jwks', '"keys"'),
};

export const WORKLOADS = [ccEs256, ccPs256, flowNew, flowConsented, refreshRotation, discovery, jwks] as Workload[];
