// Metrics (issue 14 item 3): Prometheus exposition on the management listener, scraped
// after a flow; the metric names an operator's dashboards rely on, with bounded labels.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { service, spa, staticClients } from '../helpers/clients.js';
import { PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { authorizationRequest, relyingParty } from '../helpers/rp.js';

describe('metrics on the management listener', () => {
  let running: RunningIdp;
  let management: string;
  before(async () => {
    running = await startIdp({ clients: staticClients, management: { port: 0 } });
    assert.ok(running.idp.managementPort, 'the management listener is up');
    management = `http://127.0.0.1:${running.idp.managementPort}`;
  });
  after(() => running.close());

  it('serves /healthz and /readyz; the public listener does not serve /metrics', async () => {
    assert.equal((await fetch(`${management}/healthz`)).status, 200);
    const ready = await fetch(`${management}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, 'ready');
    assert.notEqual((await fetch(new URL('/metrics', running.url))).status, 200);
  });

  it('after a flow: request durations by route and status, sign-ins, tokens, refusals, consents, store calls, process defaults', async () => {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp);
    const person = new Person(running.url);
    await person.visit(pending.url);
    await person.submit('/login', { username: 'alice', password: 'wrong' });
    const arrival = await person.signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    await oidc.authorizationCodeGrant(rp, arrival.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    await oidc.clientCredentialsGrant(await relyingParty(running.url, service), {});
    const refused = new URL('/authorize', running.url);
    refused.search = new URLSearchParams({ client_id: 'spa', response_type: 'code', redirect_uri: 'https://rp.test/cb', scope: 'openid', state: 's1234567', nonce: 'n1234567' }).toString();
    await fetch(refused, { redirect: 'manual' });

    const res = await fetch(`${management}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    const expected = [
      /idp_http_request_duration_seconds_count\{method="POST",route="\/token",status="200"\} [1-9]/,
      /idp_http_request_duration_seconds_count\{method="POST",route="\/interaction\/:uid\/login",status="401"\} 1/,
      /idp_signins_total\{outcome="succeeded"\} 1/,
      /idp_signins_total\{outcome="failed"\} 1/,
      /idp_tokens_issued_total\{grant_type="authorization_code",classification="PUBLIC"\} 1/,
      /idp_tokens_issued_total\{grant_type="client_credentials",classification="IN-CONFIDENCE"\} 1/,
      /idp_authorization_refusals_total\{rule="GR-8"\} 1/,
      /idp_consent_decisions_total\{decision="approve"\} 1/,
      /idp_store_call_duration_seconds_count\{model="AuthorizationCode",operation="consume"\} 1/,
      /idp_store_entries [1-9]/,
      /process_cpu_user_seconds_total/,
      /nodejs_heap_size_used_bytes/,
      /# HELP idp_login_throttle_events_total/,
      /# HELP idp_redis_connected/,
      /# HELP idp_store_errors_total/,
    ];
    for (const pattern of expected) assert.match(text, pattern);
  });

  it('labels stay bounded: no subject, client id, token or raw path in any label', async () => {
    await fetch(new URL('/no/such/path/acct-alice', running.url));
    await fetch(new URL('/interaction/some-random-uid', running.url));
    const text = await (await fetch(`${management}/metrics`)).text();
    const labels = [...text.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? '').join('\n');
    assert.doesNotMatch(labels, /acct-alice|some-random-uid|no\/such|"spa"|"service"/);
    assert.match(text, /route="unmatched"/);
  });

  it('without a management section there is no management listener', async () => {
    const plain = await startIdp();
    try {
      assert.equal(plain.idp.managementPort, undefined);
    } finally {
      await plain.close();
    }
  });
});
