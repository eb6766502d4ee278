// Issue 11 item 4: what starts, works. fast-check writes deployment files within the
// schema (classifications, auth methods, response types, APIs, scopes, lifetimes, the
// memory store); each is either refused at start-up with a message naming a field, or
// starts — and then every static client completes a flow of its kind over real HTTP:
// a sign-in for a client that uses /authorize, client_credentials for a service.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { ConfigError } from '../../src/config/errors.js';
import type { RawConfig } from '../../src/config/schema.js';
import { profileFor, type Classification } from '../../src/policy/classification.js';
import { profileOptions } from '../../src/policy/deployment.js';
import { mayReach } from '../../src/policy/executors/resources.js';
import { createIdp } from '../../src/server.js';
import { PASSWORDS, REDIRECT, TEST_ACCOUNTS } from '../helpers/fixtures.js';
import { configFrom, freePort } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { authorizationRequest, callbackInput, pushedAuthorizationRequest, relyingParty, type TestClient } from '../helpers/rp.js';

/** small enough for CI; PROP_RUNS=200 explores further */
const RUNS = Number(process.env.PROP_RUNS ?? 20);
const SECRET = 'property-test-client-secret-Zq3v9LkP0aWm2nXr8TcY';
const clientKeys = await generateKeyPair('ES256', { extractable: true });
const clientJwks = { keys: [{ ...(await exportJWK(clientKeys.publicKey)), alg: 'ES256', use: 'sig', kid: 'prop-1' }] };
const dpopKeys = await generateKeyPair('ES256', { extractable: true });

const classification = fc.constantFrom<Classification>('PUBLIC', 'IN-CONFIDENCE', 'SENSITIVE');
const API_SCOPES = ['records:read', 'records:write', 'clinic.read', 'public.read'];
const IDENTITY_SCOPES = { profile: { description: 'See your name', claims: ['name'] }, email: { description: 'See your email address', claims: ['email'], optional: true } };

const api = fc.record({
  identifier: fc.constantFrom('https://api.test/a', 'https://api.test/b', 'https://api.test/c'),
  classification,
  scopes: fc.subarray(API_SCOPES, { minLength: 1 }).map((s) => Object.fromEntries(s.map((x) => [x, `Use ${x}`]))),
  accessTokenFormat: fc.constantFrom('jwt' as const, 'opaque' as const),
});

/** Mostly true: most generated choices fit the profile, so that many files start. */
const usually = fc.nat(19).map((n) => n !== 0);
const pick = fc.nat(99);

const client = fc.record({
  classification,
  kind: fc.constantFrom('user', 'user', 'service'),
  /** each aspect fits the classification's profile, or is drawn from everything the schema allows */
  fits: fc.record({ auth: usually, responseType: usually, refresh: usually, dpop: usually, scope: usually }),
  authPick: pick,
  refresh: fc.boolean(),
  dpop: fc.boolean(),
  /** RFC 7591 scope: none, or a subset of a pool (made to fit what the file offers, usually) */
  scope: fc.option(fc.subarray(['openid', 'profile', 'email', ...API_SCOPES]), { nil: undefined }),
});

const lifetime = (fit: [number, number], beyond: [number, number]) =>
  fc.oneof({ weight: 9, arbitrary: fc.integer({ min: fit[0], max: fit[1] }) }, { weight: 1, arbitrary: fc.integer({ min: beyond[0], max: beyond[1] }) });

const deployment = fc.record({
  apis: fc.uniqueArray(api, { maxLength: 3, selector: (a) => a.identifier }),
  identityScopes: fc.subarray(Object.keys(IDENTITY_SCOPES)),
  clients: fc.array(client, { minLength: 1, maxLength: 3 }),
  accessToken: lifetime([60, 3599], [3600, 7200]),
  tok3Deviation: fc.boolean(),
  pushedAuthorizationRequest: lifetime([10, 600], [601, 900]),
  parForInConfidence: fc.boolean(),
  senderConstrainedInConfidence: fc.boolean(),
});

type Deployment = typeof deployment extends fc.Arbitrary<infer T> ? T : never;
type ClientSpec = Deployment['clients'][number];

const ALL_AUTH = ['none', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'];
function fittingAuth(cls: Classification, user: boolean): string[] {
  if (cls === 'SENSITIVE') return ['private_key_jwt'];
  if (!user) return ['client_secret_post', 'client_secret_jwt', 'private_key_jwt'];
  return cls === 'PUBLIC' ? ['none', 'client_secret_post', 'private_key_jwt'] : ['client_secret_post', 'client_secret_jwt', 'private_key_jwt'];
}

function clientMetadata(d: Deployment, spec: ClientSpec, i: number): Record<string, unknown> & { client_id: string } {
  const user = spec.kind === 'user';
  const cls = spec.classification;
  const auths = spec.fits.auth ? fittingAuth(cls, user) : ALL_AUTH;
  const auth = auths[spec.authPick % auths.length] ?? 'none';
  const fittingType = cls === 'PUBLIC' ? 'code' : 'code id_token';
  const responseType = spec.fits.responseType ? fittingType : fittingType === 'code' ? 'code id_token' : 'code';
  const refresh = spec.refresh && (!spec.fits.refresh || auth !== 'none');
  const constrained = cls === 'SENSITIVE' || (cls === 'IN-CONFIDENCE' && d.senderConstrainedInConfidence);
  const dpop = spec.fits.dpop ? constrained || spec.dpop : spec.dpop;
  const offered = new Set(['openid', ...d.identityScopes, ...d.apis.flatMap((a) => Object.keys(a.scopes))]);
  const scope = spec.scope && spec.fits.scope ? [...new Set([...(user ? ['openid'] : []), ...spec.scope.filter((s) => offered.has(s))])] : spec.scope;
  return {
    client_id: `client-${i}`,
    classification: cls,
    token_endpoint_auth_method: auth,
    ...(auth.startsWith('client_secret') ? { client_secret: SECRET } : {}),
    ...(auth === 'private_key_jwt' ? { jwks: clientJwks, token_endpoint_auth_signing_alg: 'ES256' } : {}),
    response_types: user ? [responseType] : [],
    grant_types: user ? ['authorization_code', ...(refresh ? ['refresh_token'] : [])] : ['client_credentials'],
    redirect_uris: user ? [REDIRECT] : [],
    ...(dpop ? { dpop_bound_access_tokens: true } : {}),
    ...(scope && scope.length ? { scope: scope.join(' ') } : {}),
  };
}

function rawFile(d: Deployment, issuer: string, port: number): RawConfig {
  return {
    mode: 'development',
    issuer,
    port,
    algorithms: { idToken: ['ES256'], accessToken: 'ES256' },
    store: { type: 'memory' },
    accounts: TEST_ACCOUNTS,
    scopes: Object.fromEntries(d.identityScopes.map((s) => [s, IDENTITY_SCOPES[s as keyof typeof IDENTITY_SCOPES]])),
    resourceServers: d.apis,
    clients: d.clients.map((c, i) => clientMetadata(d, c, i)),
    lifetimes: { accessToken: d.accessToken, pushedAuthorizationRequest: d.pushedAuthorizationRequest },
    deviations: d.tok3Deviation ? [{ rule: 'TOK-3', setting: 'lifetimes.accessToken', reason: 'a legacy API that cannot refresh yet' }] : [],
    features: { parForInConfidence: d.parForInConfidence, senderConstrainedInConfidence: d.senderConstrainedInConfidence },
  };
}

function clientAuth(meta: Record<string, unknown>): oidc.ClientAuth {
  switch (meta.token_endpoint_auth_method) {
    case 'client_secret_post': return oidc.ClientSecretPost(SECRET);
    case 'client_secret_jwt': return oidc.ClientSecretJwt(SECRET);
    case 'private_key_jwt': return oidc.PrivateKeyJwt(clientKeys.privateKey);
    default: return oidc.None();
  }
}

/** The flow of the client's kind, as its developer would write it with openid-client. */
async function completeFlow(url: string, raw: RawConfig, meta: Record<string, unknown> & { client_id: string }): Promise<void> {
  const config = configFrom(raw);
  const cls = meta.classification as Classification;
  const profile = profileFor(cls, profileOptions(config));
  const responseTypes = meta.response_types as string[];
  const test: TestClient = { metadata: meta, auth: clientAuth(meta), hybrid: responseTypes.includes('code id_token') };
  const rp = await relyingParty(url, test);
  const dpop = meta.dpop_bound_access_tokens ? oidc.getDPoPHandle(rp, dpopKeys) : undefined;
  const registered = typeof meta.scope === 'string' ? new Set(meta.scope.split(' ')) : undefined;
  const reachable = config.resourceServers.filter((a) => mayReach(cls, a));
  // An API this client may reach, and one of its scopes the registration allows.
  const target = reachable.find((a) => !registered || Object.keys(a.scopes).some((s) => registered.has(s)));
  const apiScope = target ? Object.keys(target.scopes).find((s) => !registered || registered.has(s)) : undefined;

  if (responseTypes.length === 0) {
    const tokens = await oidc.clientCredentialsGrant(rp, { ...(target ? { resource: target.identifier } : {}), ...(apiScope ? { scope: apiScope } : {}) }, { DPoP: dpop });
    assert.ok(tokens.access_token, `${meta.client_id}: client_credentials gave an access token`);
    return;
  }
  const params: Record<string, string> = { scope: ['openid', ...(apiScope ? [apiScope] : [])].join(' '), ...(target && apiScope ? { resource: target.identifier } : {}) };
  if (test.hybrid) params.response_mode = 'form_post';
  const pending = profile.par === 'required' ? await pushedAuthorizationRequest(rp, params, dpop) : await authorizationRequest(rp, params);
  const arrival = await new Person(url).signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
  const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), {
    pkceCodeVerifier: pending.verifier,
    expectedState: pending.state,
    expectedNonce: pending.nonce,
    idTokenExpected: true,
  }, target && apiScope ? { resource: target.identifier } : undefined, { DPoP: dpop });
  assert.ok(tokens.access_token, `${meta.client_id}: the sign-in gave an access token`);
}

describe('what starts, works (property)', () => {
  it('every generated deployment is refused with a message, or every static client completes its flow', async (t) => {
    let started = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(deployment, async (d) => {
        const port = await freePort();
        const url = `http://127.0.0.1:${port}`;
        const raw = rawFile(d, url, port);
        let idp: Awaited<ReturnType<typeof createIdp>>;
        try {
          idp = await createIdp(configFrom(raw));
        } catch (err) {
          assert.ok(err instanceof ConfigError, `start-up failed with ${String(err)}, not a refusal`);
          assert.ok(err.problems.length > 0 && err.problems.every((p) => p.field && p.message), err.format());
          refused += 1;
          return;
        }
        started += 1;
        await idp.listen(port, '127.0.0.1');
        try {
          for (const meta of raw.clients ?? []) await completeFlow(url, raw, meta);
        } finally {
          await idp.close();
        }
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    t.diagnostic(`${started} deployments started and worked, ${refused} were refused`);
    // Both outcomes must occur, or the property says little.
    assert.ok(started > 0, 'some generated deployment started');
    assert.ok(refused > 0, 'some generated deployment was refused');
  });
});
