// The certificate helpers behind EP-2: distinguished names compare as RFC 4514 says,
// forwarded certificates parse in the forms proxies send, garbage does not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseAddress, normaliseDn, parseForwarded } from '../../src/mtls/certificates.js';

describe('certificate helpers', () => {
  it('EP-2: DNs compare regardless of order, spacing and attribute case', () => {
    assert.equal(normaliseDn('CN=lab-system, O=Health Test'), normaliseDn('O=Health Test\nCN=lab-system'));
    assert.equal(normaliseDn('cn=lab'), normaliseDn('CN=lab'));
    assert.notEqual(normaliseDn('CN=lab'), normaliseDn('CN=lab2'));
  });

  it('EP-2: a forwarded header that is not a certificate gives nothing', () => {
    assert.equal(parseForwarded(undefined), undefined);
    assert.equal(parseForwarded('not-a-certificate'), undefined);
    assert.equal(parseForwarded(encodeURIComponent('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')), undefined);
  });

  it('peer addresses lose their IPv4-mapped prefix', () => {
    assert.equal(normaliseAddress('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(normaliseAddress(undefined), '');
  });
});
