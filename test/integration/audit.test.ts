// The audit trail (issue 14 item 2): each path of the catalogue driven over real HTTP,
// its events checked in order, with who and where, and token identifiers only as keyed
// hashes. The sinks: a module loaded from the deployment file, and a Redis stream.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { AUDIT_EVENTS, AUDIT_SCHEMA_VERSION, type AuditEvent } from '../../src/ops/audit.js';
import { WEB_SECRET, service, spa, staticClients, web } from '../helpers/clients.js';
import { PASSWORDS } from '../helpers/fixtures.js';
import { tokenPolicies } from '../../src/registration/token.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { redisServerSkip, startRedisServer, type LocalRedis } from '../helpers/redis-server.js';
import { authorizationRequest, callbackInput, relyingParty } from '../helpers/rp.js';

const EXPORT_TOKEN = 'export-token-for-the-audit-test-0123456789abcdef';

describe('audit events: each path, in order, with who and where', () => {
  let running: RunningIdp;
  const events: AuditEvent[] = [];
  const since = (n: number) => events.slice(n);
  const names = (list: AuditEvent[]) => list.map((e) => e.event);

  before(async () => {
    running = await startIdp({ clients: staticClients, features: { registration: true }, consent: { exportToken: EXPORT_TOKEN } }, { auditSink: { write: (e) => void events.push(e) } });
  });
  after(() => running.close());

  it('idp.started carries the deployment digest and no secret', () => {
    const started = events.find((e) => e.event === 'idp.started');
    assert.ok(started);
    assert.match(String(started.configDigest), /^sha256:[0-9a-f]{64}$/);
    assert.equal(started.version, AUDIT_SCHEMA_VERSION);
    assert.ok(!JSON.stringify(started).includes(EXPORT_TOKEN));
  });

  it('a sign-in with a wrong password first: signin.failed, signin.succeeded, consent.decided, token.issued, token.refreshed, token.reuse_detected', async () => {
    const n = events.length;
    const rp = await relyingParty(running.url, web);
    const pending = await authorizationRequest(rp, { response_mode: 'form_post', scope: 'openid profile offline_access', prompt: 'consent' });
    const person = new Person(running.url);
    await person.visit(pending.url);
    await person.submit('/login', { username: 'Alice', password: 'not-her-password' });
    const arrival = await person.signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '');
    await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token ?? ''));

    const got = since(n);
    assert.deepEqual(names(got), ['signin.failed', 'signin.succeeded', 'consent.decided', 'token.issued', 'token.refreshed', 'token.reuse_detected']);
    const [failed, succeeded, consent, issued, refreshedEvent, reuse] = got;
    assert.equal(failed?.reason, 'credentials');
    assert.equal(failed?.subject, undefined, 'a failure names no account');
    assert.match(String(failed?.accountRef), /^[\w-]{22}$/, 'a keyed hash of the name typed, never the name');
    assert.ok(!JSON.stringify(failed).includes('not-her-password') && !JSON.stringify(failed).includes('Alice'));
    assert.equal(succeeded?.subject, 'acct-alice');
    assert.equal(succeeded?.clientId, 'web');
    assert.equal(consent?.decision, 'approve');
    assert.ok(consent?.recordId, 'linked to its ledger record');
    const records: { id: string }[] = [];
    for await (const r of running.idp.ledger.query({})) records.push(r);
    assert.ok(records.some((r) => r.id === consent?.recordId));
    assert.equal(issued?.grantType, 'authorization_code');
    assert.equal(issued?.classification, 'IN-CONFIDENCE');
    assert.equal(issued?.subject, 'acct-alice');
    assert.equal(issued?.grantId, consent?.grantId, 'the token and the consent share their grant');
    assert.equal(refreshedEvent?.previousRefreshTokenRef, issued?.refreshTokenRef, 'the rotation chain can be followed by reference');
    assert.equal(reuse?.rule, 'TOK-4');
    assert.equal(reuse?.kind, 'refresh_token');
    for (const e of got) {
      assert.equal(e.type, 'audit');
      assert.ok(e.time && e.requestId && e.address, `${e.event} carries time, request id and address`);
      const text = JSON.stringify(e);
      for (const secret of [tokens.access_token, tokens.refresh_token, refreshed.access_token, refreshed.refresh_token, arrival.form?.fields.code, PASSWORDS.alice, WEB_SECRET]) {
        assert.ok(secret && !text.includes(secret), `${e.event} holds no token value`);
      }
    }
  });

  it('signin.throttled once the back-off starts', async () => {
    const n = events.length;
    const rp = await relyingParty(running.url, web);
    const pending = await authorizationRequest(rp, { response_mode: 'form_post' });
    const person = new Person(running.url);
    await person.visit(pending.url);
    for (let i = 0; i < 6 && !names(since(n)).includes('signin.throttled'); i++) {
      await person.submit('/login', { username: 'mallory', password: `guess-${i}` });
    }
    const got = names(since(n));
    assert.equal(got.at(-1), 'signin.throttled', got.join(' '));
    assert.ok(got.slice(0, -1).every((e) => e === 'signin.failed'));
  });

  it('authorization.refused names the rule (GR-8: no PKCE)', async () => {
    const n = events.length;
    const url = new URL('/authorize', running.url);
    url.search = new URLSearchParams({ client_id: 'spa', response_type: 'code', redirect_uri: 'https://rp.test/cb', scope: 'openid', state: 's1234567', nonce: 'n1234567' }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 303);
    const [refused] = since(n);
    assert.equal(refused?.event, 'authorization.refused');
    assert.equal(refused?.rule, 'GR-8');
    assert.equal(refused?.clientId, 'spa');
    assert.equal(refused?.error, 'invalid_request');
  });

  it('token.issued for client credentials carries grant type and classification; token.revoked by reference', async () => {
    const n = events.length;
    const rp = await relyingParty(running.url, service);
    // An opaque token (no API named): a JWT access token is not stored, so it cannot be revoked.
    const cc = await oidc.clientCredentialsGrant(rp, {});
    await oidc.tokenRevocation(rp, cc.access_token);
    const [issued, revoked] = since(n);
    assert.deepEqual(names(since(n)), ['token.issued', 'token.revoked']);
    assert.equal(revoked?.tokenType, 'ClientCredentials');
    assert.equal(revoked?.tokenRef, issued?.accessTokenRef, 'the same token, by the same keyed hash');
    assert.ok(!JSON.stringify(revoked).includes(cc.access_token));
    assert.equal(issued?.event, 'token.issued');
    assert.equal(issued?.grantType, 'client_credentials');
    assert.equal(issued?.clientId, 'service');
    assert.match(String(issued?.accessTokenRef), /^[\w-]{22}$/);
  });

  it('registration_token.minted, client.registered, client.updated, client.deleted', async () => {
    const n = events.length;
    const iat = await new running.idp.provider.InitialAccessToken({ policies: tokenPolicies({ maxClassification: 'IN-CONFIDENCE' }, true) }).save();
    const metadata = { classification: 'IN-CONFIDENCE', token_endpoint_auth_method: 'client_secret_post', response_types: ['code id_token'], grant_types: ['authorization_code', 'implicit'], redirect_uris: ['https://rp.example/cb'] };
    const created = await fetch(new URL('/register', running.url), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${iat}` }, body: JSON.stringify(metadata) });
    assert.equal(created.status, 201);
    const body = (await created.json()) as { client_id: string; client_secret: string; registration_access_token: string; registration_client_uri: string };
    const updated = await fetch(body.registration_client_uri, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${body.registration_access_token}` }, body: JSON.stringify({ ...metadata, client_id: body.client_id, client_secret: body.client_secret, client_name: 'Renamed' }) });
    assert.equal(updated.status, 200, await updated.clone().text());
    const rat = ((await updated.json()) as { registration_access_token?: string }).registration_access_token ?? body.registration_access_token;
    const deleted = await fetch(body.registration_client_uri, { method: 'DELETE', headers: { authorization: `Bearer ${rat}` } });
    assert.equal(deleted.status, 204);

    const got = since(n);
    assert.deepEqual(names(got), ['registration_token.minted', 'client.registered', 'client.updated', 'client.deleted']);
    assert.ok(got.slice(1).every((e) => e.clientId === body.client_id));
    assert.equal(got[0]?.singleUse, false, 'a reusable token');
    assert.equal(got[1]?.classification, 'IN-CONFIDENCE');
    assert.ok(!JSON.stringify(got).includes(iat) && !JSON.stringify(got).includes(body.registration_access_token));
  });

  it('consent_ledger.exported, and a withdrawal on the consents page is a consent.decided', async () => {
    const n = events.length;
    const res = await fetch(new URL('/admin/consent-ledger?client=web', running.url), { headers: { authorization: `Bearer ${EXPORT_TOKEN}` } });
    assert.equal(res.status, 200);
    await res.text();
    const [exported] = since(n);
    assert.equal(exported?.event, 'consent_ledger.exported');
    assert.equal(exported?.client, 'web');
    assert.ok(!JSON.stringify(exported).includes(EXPORT_TOKEN));
  });

  it('the catalogue in the operations guide lists every event and its schema version', () => {
    const guide = readFileSync(new URL('../../config/guides/operations.md', import.meta.url), 'utf8');
    const section = guide.slice(guide.indexOf('## Audit events'));
    for (const name of AUDIT_EVENTS) assert.ok(section.includes(`\`${name}\``), `config/guides/operations.md documents ${name}`);
    assert.ok(section.includes(`version \`${AUDIT_SCHEMA_VERSION}\``) || section.includes(`"version":${AUDIT_SCHEMA_VERSION}`));
  });
});

describe('audit sinks chosen in the deployment file', () => {
  it('a module sink: loaded at start-up, given its options, receives the events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idp-audit-'));
    const path = join(dir, 'sink.mjs');
    writeFileSync(path, 'export function createAuditSink(options) { const seen = (globalThis.__auditTest ??= []); return { write(event) { seen.push({ ...event, tag: options.tag }); } }; }\n');
    const running = await startIdp({ audit: { sink: { type: 'module', path, options: { tag: 'agency' } } } }, { auditSink: undefined });
    try {
      await new Person(running.url).visit(new URL('/.well-known/openid-configuration', running.url));
      const seen = (globalThis as { __auditTest?: AuditEvent[] }).__auditTest ?? [];
      assert.ok(seen.some((e) => e.event === 'idp.started' && e.tag === 'agency'));
    } finally {
      await running.close();
    }
  });

  it('a module that does not export createAuditSink stops start-up naming audit.sink.path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idp-audit-'));
    const path = join(dir, 'bad.mjs');
    writeFileSync(path, 'export const nothing = 1;\n');
    await assert.rejects(startIdp({ audit: { sink: { type: 'module', path } } }, { auditSink: undefined }), (err: Error & { format?: () => string }) => /audit\.sink\.path/.test(err.format?.() ?? ''));
  });

  const skip = redisServerSkip();
  describe('a Redis stream', { skip }, () => {
    let redis: LocalRedis;
    before(async () => {
      redis = await startRedisServer();
    });
    after(() => redis?.stop());

    it('XADDs each event to the stream, in order', async () => {
      const running = await startIdp({ clients: staticClients, store: { type: 'redis', url: redis.url, keyPrefix: 'audit-test:' }, audit: { sink: { type: 'redis', stream: 'audit-test:audit', maxLength: 1000 } } }, { auditSink: undefined });
      const client = new Redis(redis.url);
      try {
        const rp = await relyingParty(running.url, spa);
        const pending = await authorizationRequest(rp);
        await new Person(running.url).signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
        const entries = await client.xrange('audit-test:audit', '-', '+');
        const kept = entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('json') + 1] ?? '{}') as AuditEvent);
        assert.deepEqual(kept.map((e) => e.event), ['idp.started', 'signin.succeeded', 'consent.decided']);
        assert.equal(kept[1]?.subject, 'acct-alice');
      } finally {
        client.disconnect();
        await running.close();
      }
    });
  });
});
