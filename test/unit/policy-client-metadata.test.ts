// EP-10: a client written into the deployment file is checked field by field at start-up
// (src/policy/client-metadata.ts): a real registration field is accepted, a misspelt one
// (`redirect_uri`) is refused by name instead of being dropped without a word by the library,
// and a standard field of a feature this IdP leaves off is refused as such. The list of known
// fields is compared with what the library itself keeps, under the fullest configuration this
// IdP builds (mTLS with a trusted CA, CIBA on), so a name missing on either side fails here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Provider from 'oidc-provider';
import instance from 'oidc-provider/lib/helpers/weak_cache.js';
import { KNOWN_CLIENT_METADATA, UNSUPPORTED_CLIENT_METADATA } from '../../src/policy/client-metadata.js';
import { checkDeployment } from '../../src/policy/deployment.js';
import { createIdp } from '../../src/server.js';
import { hasOpenssl } from '../helpers/certs.js';
import { API } from '../helpers/fixtures.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

const ci = process.env.CI === 'true';
const noOpenssl = !hasOpenssl() && !ci ? 'CLIENT METADATA COMPARISON DID NOT RUN: install openssl (apt-get install -y openssl) for the mTLS CA certificate' : false;
if (noOpenssl) console.warn(`\n*** ${noOpenssl} ***\n`);

/** What the library keeps of a client's metadata (its schema's list plus extraClientMetadata), with every feature this IdP can switch on. */
async function libraryAccepts(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'idp-meta-ca-'));
  // A CA is what makes the library offer tls_client_auth and its tls_client_auth_san_* fields.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=Metadata Test CA'], { cwd: dir, stdio: 'pipe' });
  const ca = join(dir, 'ca.crt');
  const config = configFrom(testRawConfig('http://127.0.0.1:1', {
    features: { ciba: true, registration: true },
    ciba: { loopbackCaFile: ca },
    mtls: { enabled: true, caFile: ca, proxyHeader: 'x-ssl-client-cert', trustedProxies: ['127.0.0.1'] },
  }));
  const idp = await createIdp(config, { auditSink: { write: () => undefined } });
  try {
    void idp.provider.Client; // the client schema (and its list) is built with the Client model
    const internals = instance(idp.provider);
    assert.ok(internals?.RECOGNIZED_METADATA, 'oidc-provider no longer keeps RECOGNIZED_METADATA where lib/helpers/client_schema.js put it: find the new place and update this test');
    return [...internals.RECOGNIZED_METADATA, ...internals.configuration.extraClientMetadata.properties];
  } finally {
    await idp.close();
  }
}

describe('client metadata known to start-up (EP-10)', () => {
  const web = { client_id: 'web', classification: 'IN-CONFIDENCE', client_secret: 'k7Qz2mW9xR4tY8vB1nC6pL3sD5fG0hJa', token_endpoint_auth_method: 'client_secret_post', redirect_uris: ['https://rp.example/cb'] };
  const problemsFor = (client: { client_id: string } & Record<string, unknown>) => checkDeployment(configFrom(testRawConfig('http://127.0.0.1:3000', { clients: [client] }))).problems;

  it('EP-10: every field the library accepts is known, and every known field is one the library accepts', { skip: noOpenssl }, async () => {
    const accepted = await libraryAccepts();
    const refusedButReal = accepted.filter((name) => !KNOWN_CLIENT_METADATA.has(name)).sort();
    assert.deepEqual(refusedButReal, [], `the library accepts these, but start-up would refuse them as typos (add them to KNOWN_CLIENT_METADATA): ${refusedButReal.join(', ')}`);
    const droppedWithoutAWord = [...KNOWN_CLIENT_METADATA].filter((name) => !accepted.includes(name)).sort();
    assert.deepEqual(droppedWithoutAWord, [], `start-up lets these through, but the library would drop them without a word (remove them from KNOWN_CLIENT_METADATA): ${droppedWithoutAWord.join(', ')}`);
    const unsupportedButAccepted = [...UNSUPPORTED_CLIENT_METADATA].filter((name) => accepted.includes(name)).sort();
    assert.deepEqual(unsupportedButAccepted, [], `UNSUPPORTED_CLIENT_METADATA lists fields the library accepts: ${unsupportedButAccepted.join(', ')}`);
  });

  it('EP-10: every other field the library knows (with every feature of its own on) is refused as unsupported here, and only those', () => {
    // A bare provider with each feature that adds client metadata switched on: the names it
    // keeps that this IdP does not are the fields of features this IdP leaves off.
    const everything = new Provider('http://127.0.0.1:1', {
      features: {
        jwtUserinfo: { enabled: true }, introspection: { enabled: true }, jwtIntrospection: { enabled: true }, encryption: { enabled: true },
        requestObjects: { enabled: true }, backchannelLogout: { enabled: true }, richAuthorizationRequests: { enabled: true, types: { payment: { validate: () => undefined } } },
        jwtResponseModes: { enabled: true }, pushedAuthorizationRequests: { enabled: true }, rpInitiatedLogout: { enabled: true }, dPoP: { enabled: true },
        mTLS: { enabled: true, certificateBoundAccessTokens: true, tlsClientAuth: true, selfSignedTlsClientAuth: true },
        ciba: { enabled: true, deliveryModes: ['poll', 'ping'] },
      },
    } as never); // only the switches matter here: the rest of the configuration is the library's default
    void everything.Client;
    const all = instance(everything)?.RECOGNIZED_METADATA ?? [];
    assert.ok(all.length > 0, 'oidc-provider no longer keeps RECOGNIZED_METADATA where lib/helpers/client_schema.js put it');
    const leftOff = all.filter((name) => !KNOWN_CLIENT_METADATA.has(name)).sort();
    assert.deepEqual([...UNSUPPORTED_CLIENT_METADATA].sort(), leftOff, 'UNSUPPORTED_CLIENT_METADATA must list exactly the library\'s fields that KNOWN_CLIENT_METADATA leaves out (those would otherwise be refused as typos)');
    for (const field of leftOff) {
      const messages = problemsFor({ ...web, [field]: 'x' }).filter((p) => p.field === `clients[0].${field}`).map((p) => p.message);
      assert.ok(messages.includes('client "web": this IdP does not offer that feature, so the setting would be ignored: remove it'), `${field}: ${messages.join('; ')}`);
      assert.ok(!messages.some((m) => m.includes('typo')), `${field} is refused as a typo`);
    }
  });

  it('EP-10: a registration using real fields (contacts, default_max_age, allowed_resources) is not refused as a misspelling', () => {
    assert.deepEqual(problemsFor({ ...web, contacts: ['ops@rp.example'], client_uri: 'https://rp.example', default_max_age: 3600, allowed_resources: [API.inConfidence] }), []);
  });

  it('EP-10: a misspelt field is refused by name, with the words that say what to fix', () => {
    assert.deepEqual(problemsFor({ ...web, contact: ['ops@rp.example'] }), [
      { field: 'clients[0].contact', message: 'client "web": unknown client metadata (a typo? e.g. redirect_uris, not redirect_uri)' },
    ]);
  });

  it('EP-10: a standard field of a feature this IdP leaves off (signed userinfo) is refused as unsupported, not as a typo', () => {
    assert.deepEqual(problemsFor({ ...web, userinfo_signed_response_alg: 'PS256' }), [
      { field: 'clients[0].userinfo_signed_response_alg', message: 'client "web": this IdP does not offer that feature, so the setting would be ignored: remove it' },
    ]);
  });
});
