// Identity sources (issue 17): the pure parts — LDAP filter escaping and attribute mapping,
// upstream claim mapping and which claims may link an account, and the start-up checks
// that keep every `sub` unambiguous and passwords off clear connections.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSources } from '../../src/accounts/sources/checks.js';
import { claimsOf, escapeFilterValue } from '../../src/accounts/sources/ldap.js';
import { identitySources } from '../../src/accounts/sources/schema.js';
import { mapUpstreamClaims, verifiedLinkValue } from '../../src/accounts/sources/upstream.js';
import { configSchema } from '../../src/config/schema.js';

const ldap = (extra: Record<string, unknown> = {}) => ({
  type: 'ldap',
  id: 'staff',
  label: 'Staff directory',
  url: 'ldaps://dir.agency.test',
  bind: { dn: 'cn=svc,dc=agency', password: { env: 'LDAP_PASSWORD' } },
  search: { base: 'ou=people,dc=agency' },
  ...extra,
});
const upstream = (extra: Record<string, unknown> = {}) => ({
  type: 'oidc',
  id: 'mhl',
  label: 'My Health Login',
  issuer: 'https://login.health.test',
  clientId: 'idp',
  clientAuth: { method: 'client_secret_post', secret: { env: 'MHL_SECRET' } },
  ...extra,
});

describe('LDAP filters and attributes', () => {
  it('escapes what would change a filter (RFC 4515)', () => {
    assert.equal(escapeFilterValue('hemi'), 'hemi');
    assert.equal(escapeFilterValue('*'), '\\2a');
    assert.equal(escapeFilterValue('a)(uid=*'), 'a\\29\\28uid=\\2a');
    assert.equal(escapeFilterValue('back\\slash\0'), 'back\\5cslash\\00');
  });

  it('maps attributes to claims case-insensitively; one value as a string, several as a list', () => {
    const entry = { dn: 'uid=hemi', cn: 'Hemi Walker', NHINumber: 'ZZZ0032', mail: ['a@x.test', 'b@x.test'], jpegPhoto: [] as string[] };
    const claims = claimsOf(entry, { name: 'cn', nhi: 'nhiNumber', email: 'mail', picture: 'jpegPhoto', fhirUser: 'fhirUser' });
    assert.deepEqual(claims, { name: 'Hemi Walker', nhi: 'ZZZ0032', email: ['a@x.test', 'b@x.test'] });
  });
});

describe('upstream claims and linking', () => {
  it('keeps only mapped claims, under our names', () => {
    assert.deepEqual(mapUpstreamClaims({ sub: 'u1', nhi_number: 'ZZZ0016', name: 'A', secret_stuff: 'x', gone: null }, { nhi: 'nhi_number', name: 'name', missing: 'gone' }), { nhi: 'ZZZ0016', name: 'A' });
  });

  it('never links by an e-mail the upstream did not verify; never by a claim it marks unverified', () => {
    assert.equal(verifiedLinkValue({ email: 'a@x.test' }, 'email'), undefined);
    assert.equal(verifiedLinkValue({ email: 'a@x.test', email_verified: false }, 'email'), undefined);
    assert.equal(verifiedLinkValue({ email: 'a@x.test', email_verified: 'true' }, 'email'), undefined, 'a string is not true');
    assert.equal(verifiedLinkValue({ email: 'a@x.test', email_verified: true }, 'email'), 'a@x.test');
    assert.equal(verifiedLinkValue({ nhi_number: 'ZZZ0016' }, 'nhi_number'), 'ZZZ0016');
    assert.equal(verifiedLinkValue({ nhi_number: 'ZZZ0016', nhi_number_verified: false }, 'nhi_number'), undefined);
    assert.equal(verifiedLinkValue({ nhi_number: '' }, 'nhi_number'), undefined);
    assert.equal(verifiedLinkValue({ nhi_number: 16 }, 'nhi_number'), undefined);
  });
});

describe('identity source configuration', () => {
  it('defaults: file accounts need no entry; an ldap source gets a uid filter, pool and timeouts', () => {
    const [source] = identitySources.parse([ldap()]);
    assert.equal(source?.type, 'ldap');
    if (source?.type !== 'ldap') return;
    assert.equal(source.search.filter, '(uid={username})');
    assert.deepEqual(source.pool, { size: 4, acquireTimeout: 5 });
    assert.deepEqual(source.timeouts, { connect: 3, operation: 5 });
    assert.deepEqual(configSchema.parse({ mode: 'development', issuer: 'http://localhost:3000' }).sources, []);
  });

  it('refuses a filter without {username}, an id that cannot be part of a sub, an unknown link rule', () => {
    assert.equal(identitySources.safeParse([ldap({ search: { base: 'dc=a', filter: '(uid=alice)' } })]).success, false);
    assert.equal(identitySources.safeParse([ldap({ id: 'Staff Dir' })]).success, false);
    assert.equal(identitySources.safeParse([upstream({ link: { by: 'email' } })]).success, false);
  });

  it('start-up checks: ids unique; no clear-text directory or http upstream in production; link claims mapped; file ids cannot pose as a source\'s', () => {
    const parsed = identitySources.parse([
      ldap({ url: 'ldap://dir.agency.test' }),
      ldap({ label: 'Again' }),
      upstream({ issuer: 'http://login.health.test', scope: 'profile', link: { by: 'claim', claim: 'nhi' } }),
    ]);
    const accounts = [{ id: 'staff:hemi', username: 'hemi', passwordHash: 'scrypt$', claims: {} }];
    const problems = checkSources(parsed, accounts, false).map((p) => `${p.field}${p.rule ? ` ${p.rule}` : ''}`);
    assert.deepEqual(problems.sort(), [
      'accounts[0].id',
      'sources[0].url EP-11',
      'sources[1].id',
      'sources[2].issuer EP-11',
      'sources[2].link.claim',
      'sources[2].scope OIDC-1',
    ]);
    // Development: a directory on ldap:// and an upstream on http:// are allowed (a laptop).
    const dev = checkSources(identitySources.parse([ldap({ url: 'ldap://127.0.0.1:3389' }), upstream({ issuer: 'http://localhost:4000' })]), [], true);
    assert.deepEqual(dev, []);
    // StartTLS makes ldap:// acceptable in production.
    assert.deepEqual(checkSources(identitySources.parse([ldap({ url: 'ldap://dir.agency.test', startTls: true })]), [], false), []);
  });
});
