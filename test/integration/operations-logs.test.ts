// Logs an operator can use (issue 14 item 1, issue 11 item 7): one JSON line per event,
// one access line per request with its route template and request id, the id returned
// and shown on error pages, malformed and abandoned requests as one line each — and,
// after full flows, not one token, code, secret, cookie or password in any line.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as oidc from 'openid-client';
import { createLogger } from '../../src/ops/log.js';
import type { AuditEvent } from '../../src/ops/audit.js';
import { SERVICE_SECRET, WEB_SECRET, service, spa, staticClients, web } from '../helpers/clients.js';
import { API, PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { authorizationRequest, callbackInput, relyingParty } from '../helpers/rp.js';

interface Line {
  level: string;
  event: string;
  time: string;
  [k: string]: unknown;
}

describe('logs: structured, traced by request id, free of secrets', () => {
  let running: RunningIdp;
  const raw: string[] = [];
  const events: AuditEvent[] = [];
  const lines = () => raw.map((l) => JSON.parse(l) as Line);
  /** Every secret value the flows below handle. */
  const secrets = new Set<string>([PASSWORDS.alice, WEB_SECRET, SERVICE_SECRET, 'wrong-password-typed-by-alice']);

  before(async () => {
    running = await startIdp({ clients: staticClients }, { logger: createLogger('debug', (l) => raw.push(l)), auditSink: { write: (e) => void events.push(e) } });
  });
  after(() => running.close());

  it('every line is one JSON object with time, level and event', async () => {
    await fetch(new URL('/.well-known/openid-configuration', running.url));
    assert.ok(raw.length > 0);
    for (const line of raw) {
      assert.ok(!line.includes('\n'), 'one line');
      const parsed = JSON.parse(line) as Line;
      assert.ok(parsed.time && parsed.level && parsed.event, line);
    }
  });

  it('full flows leave no token, code, secret, cookie or password in any log line or audit event', async () => {
    // A confidential client: a wrong password first, then sign-in, code, refresh, userinfo, introspection, revocation.
    const rp = await relyingParty(running.url, web);
    const pending = await authorizationRequest(rp, { response_mode: 'form_post', scope: 'openid profile email offline_access', prompt: 'consent' });
    const person = new Person(running.url);
    await person.visit(pending.url);
    await person.submit('/login', { username: 'alice', password: 'wrong-password-typed-by-alice' });
    const arrival = await person.signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    for (const v of Object.values(arrival.form?.fields ?? {})) if (v.length > 20) secrets.add(v); // code, id_token
    for (const v of person.cookies.values()) secrets.add(v);
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    secrets.add(pending.verifier);
    for (const t of [tokens.access_token, tokens.refresh_token, tokens.id_token]) if (t) secrets.add(t);
    await oidc.fetchUserInfo(rp, tokens.access_token, 'acct-alice');
    await oidc.tokenIntrospection(rp, tokens.access_token);
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '');
    for (const t of [refreshed.access_token, refreshed.refresh_token, refreshed.id_token]) if (t) secrets.add(t);
    // A replayed refresh token (TOK-4): refused, and still not logged.
    await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token ?? ''));
    await oidc.tokenRevocation(rp, refreshed.access_token);

    // A public client with a JWT access token for an API.
    const spaRp = await relyingParty(running.url, spa);
    const spaPending = await authorizationRequest(spaRp, { resource: API.public, scope: 'openid public.read' });
    const spaArrival = await new Person(running.url).signIn(spaPending.url, { username: 'alice', password: PASSWORDS.alice });
    secrets.add(spaArrival.url.searchParams.get('code') ?? 'missing-code');
    const spaTokens = await oidc.authorizationCodeGrant(spaRp, spaArrival.url, { pkceCodeVerifier: spaPending.verifier, expectedState: spaPending.state, expectedNonce: spaPending.nonce }, { resource: API.public });
    secrets.add(spaTokens.access_token);

    // A service: client credentials.
    const serviceRp = await relyingParty(running.url, service);
    const cc = await oidc.clientCredentialsGrant(serviceRp, { scope: 'clinic.read', resource: API.inConfidence });
    secrets.add(cc.access_token);

    // A bearer header on a bad request is not echoed either.
    const bogus = 'Bearer not-a-real-token-but-still-a-secret-0123456789';
    secrets.add(bogus.slice(7));
    await fetch(new URL('/userinfo', running.url), { headers: { authorization: bogus } });

    assert.ok(secrets.size >= 14, `collected ${secrets.size} secrets`);
    const everything = [...raw, ...events.map((e) => JSON.stringify(e))];
    for (const line of everything) {
      for (const secret of secrets) if (line.includes(secret)) assert.fail(`a secret (${secret.slice(0, 6)}…) appears in: ${line.slice(0, 300)}`);
    }
    // The flows did produce lines worth scanning.
    assert.ok(lines().filter((l) => l.event === "http.request").length >= 15, "access lines");
    assert.ok(events.some((e) => e.event === "token.reuse_detected"), events.map((e) => e.event).join(" "));
  });

  it('one access line per request: method, route template (not the raw URL), status, duration, client id, request id', async () => {
    const rp = await relyingParty(running.url, web);
    const pending = await authorizationRequest(rp, { response_mode: 'form_post', scope: 'openid profile' });
    const person = new Person(running.url);
    const arrival = await person.signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    const before = raw.length;
    const res = await fetch(new URL('/token', running.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: arrival.form?.fields.code ?? '', redirect_uri: 'https://rp.test/cb', code_verifier: pending.verifier, client_id: 'web', client_secret: WEB_SECRET }).toString(),
    });
    assert.equal(res.status, 200);
    const id = res.headers.get('x-request-id');
    assert.ok(id, 'the response carries X-Request-Id');
    const access = raw.slice(before).map((l) => JSON.parse(l) as Line).filter((l) => l.event === 'http.request');
    assert.equal(access.length, 1, 'exactly one access line for the request');
    const [line] = access;
    assert.equal(line?.method, 'POST');
    assert.equal(line?.route, '/token');
    assert.equal(line?.status, 200);
    assert.equal(line?.clientId, 'web');
    assert.equal(line?.requestId, id);
    assert.equal(typeof line?.durationMs, 'number');

    const templates = new Set(lines().filter((l) => l.event === 'http.request').map((l) => String(l.route)));
    assert.ok(templates.has('/interaction/:uid'), [...templates].join(' '));
    assert.ok(templates.has('/interaction/:uid/login'));
    assert.ok(![...templates].some((t) => /\/interaction\/(?!:uid)/.test(t)), 'no raw interaction id in a route');
    const interactionLine = lines().find((l) => l.event === 'http.request' && l.route === '/interaction/:uid/login');
    assert.equal(interactionLine?.clientId, 'web', 'an interaction page knows its client');
  });

  it('X-Request-Id from the caller is not taken without a trusted proxy; the made-up id is returned', async () => {
    const res = await fetch(new URL('/jwks', running.url), { headers: { 'x-request-id': 'caller-chosen-id' } });
    const id = res.headers.get('x-request-id');
    assert.ok(id && id !== 'caller-chosen-id');
  });

  it('X-Request-Id from a trusted proxy (proxy: true) is kept, when well-formed', async () => {
    const behind = await startIdp({ proxy: true });
    try {
      const res = await fetch(new URL('/jwks', behind.url), { headers: { 'x-request-id': 'lb-7f3a-0001' } });
      assert.equal(res.headers.get('x-request-id'), 'lb-7f3a-0001');
      const odd = await fetch(new URL('/jwks', behind.url), { headers: { 'x-request-id': 'has spaces\tand "quotes"' } });
      assert.notEqual(odd.headers.get('x-request-id'), 'has spaces\tand "quotes"');
    } finally {
      await behind.close();
    }
  });

  it('error pages show the request id a person can quote to a help desk', async () => {
    const res = await fetch(new URL('/interaction/no-such-interaction', running.url));
    const id = res.headers.get('x-request-id') ?? '';
    const page = await res.text();
    assert.ok(res.status >= 400);
    assert.ok(id && page.includes(id), 'the page shows the request id');
    const library = await fetch(new URL('/authorize?client_id=nobody&response_type=code', running.url), { headers: { accept: 'text/html' } });
    const libraryId = library.headers.get('x-request-id') ?? '';
    assert.ok(libraryId && (await library.text()).includes(libraryId), "the library's error page shows it too");
  });

  it('issue 11 item 7: a malformed request is one JSON line, no stack trace, no request bytes', async () => {
    const before = raw.length;
    const url = new URL(running.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write('POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: nope-secret-body\r\n\r\n');
      });
      let got = '';
      socket.on('data', (d) => (got += d.toString()));
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1.1 400/);
    const added = raw.slice(before);
    const malformed = added.filter((l) => l.includes('http.malformed_request'));
    assert.equal(malformed.length, 1, added.join('\n'));
    assert.ok(!added.some((l) => l.includes('nope-secret-body') || l.includes('    at ')), 'no bytes of the request, no stack');
  });

  it('item 6: a sign-in the browser abandons mid-POST is logged once, at info, with its request id', async () => {
    const rp = await relyingParty(running.url, web);
    const pending = await authorizationRequest(rp, { response_mode: 'form_post' });
    const person = new Person(running.url);
    await person.visit(pending.url);
    const loginPath = /action="([^"]*\/login)"/.exec(person.lastPage)?.[1] ?? '';
    assert.ok(loginPath);
    const before = raw.length;
    const url = new URL(running.url);
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: loginPath, method: 'POST', headers: { cookie: [...person.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded', 'content-length': '500' } });
      req.on('error', () => resolve());
      req.write('username=alice&password=');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 300);
    });
    let aborted: Line[] = [];
    for (let i = 0; i < 40 && aborted.length === 0; i++) {
      await sleep(50);
      aborted = raw.slice(before).map((l) => JSON.parse(l) as Line).filter((l) => l.event === 'request.aborted');
    }
    assert.equal(aborted.length, 1, raw.slice(before).join('\n'));
    assert.equal(aborted[0]?.level, 'info');
    assert.ok(aborted[0]?.requestId);
    assert.ok(!raw.slice(before).some((l) => l.includes('"interaction.error"')), 'not an error');
  });
});
