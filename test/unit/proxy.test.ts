// EP-11: the client's address from X-Forwarded-For, as src/ops/proxy.ts reads it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientAddress, parseCidr, proxyTrust, type ProxyTrust } from '../../src/ops/proxy.js';

const trust = (setting: Parameters<typeof proxyTrust>[0]) => proxyTrust(setting) as ProxyTrust;

describe('client address behind proxies', () => {
  it('EP-11: trusted proxies: the right-most address that is not one of them', () => {
    const t = trust({ trusted: ['10.0.0.0/8', '2001:db8::/32'] });
    assert.equal(clientAddress('10.0.0.5', '1.2.3.4, 198.51.100.7, 10.1.1.1', t), '198.51.100.7');
    assert.equal(clientAddress('2001:db8::1', '198.51.100.7', t), '198.51.100.7');
    assert.equal(clientAddress('::ffff:10.0.0.5', '198.51.100.7', t), '198.51.100.7');
    assert.equal(clientAddress('10.0.0.5', undefined, t), '10.0.0.5', 'nothing forwarded: the proxy itself');
    assert.equal(clientAddress('10.0.0.5', '10.2.2.2, 10.3.3.3', t), '10.2.2.2', 'all proxies: the left-most');
    assert.equal(clientAddress('198.51.100.9', '1.2.3.4', t), undefined, 'an untrusted peer is not believed');
  });

  it('EP-11: a hop count reads that many entries from the right; true is one', () => {
    assert.equal(clientAddress('10.0.0.5', '1.2.3.4, 198.51.100.7', trust(true)), '198.51.100.7');
    assert.equal(clientAddress('10.0.0.5', '1.2.3.4, 198.51.100.7, 10.1.1.1', trust({ hops: 2 })), '198.51.100.7');
    assert.equal(clientAddress('10.0.0.5', '198.51.100.7', trust({ hops: 3 })), '198.51.100.7');
    assert.equal(clientAddress('10.0.0.5', '', trust(true)), '10.0.0.5');
  });

  it('addresses and CIDR blocks are parsed strictly', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    assert.equal(parseCidr('127.0.0.1')?.prefix, 32);
    for (const bad of ['10.0.0.0/33', 'example.org', '10.0.0.0/8/1', '10.0.0.0/x', '']) assert.equal(parseCidr(bad), undefined, bad);
  });
});
