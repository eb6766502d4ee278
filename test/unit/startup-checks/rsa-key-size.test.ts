// TOK-9: an RSA signing key under 2048 bits stops start-up, naming the key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { rsaBits } from '../../../src/policy/signing-keys.js';
import { PRODUCTION_JWKS } from '../../helpers/production.js';
import { productionRaw, startupVerdict } from '../../helpers/startup.js';

// jose refuses to make one, so Node's crypto does.
const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
const weakJwk: Record<string, unknown> = { ...weak.privateKey.export({ format: 'jwk' }), alg: 'PS256', kid: 'rsa-1024' };

describe('start-up: short RSA keys (TOK-9)', () => {
  it('TOK-9: a 1024-bit RSA key is refused, named by its kid', async () => {
    const ec = PRODUCTION_JWKS.keys[0] ?? {};
    const verdict = await startupVerdict(productionRaw({ keys: { signing: { jwks: { keys: [ec, weakJwk] } } } }));
    assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['keys.signing', 'TOK-9']]);
    assert.match(verdict.text, /keys\[1\] \(kid "rsa-1024"\).*1024 bits/);
  });

  it('the size is read from the modulus', () => {
    assert.equal(rsaBits(weakJwk), 1024);
    assert.equal(rsaBits(PRODUCTION_JWKS.keys[1] ?? {}), 2048);
  });
});
