// EP-7, TOK-9: the signing JWKS holds a private key for every algorithm the file enables
// (algorithms.idToken, algorithms.accessToken), and is not public keys only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PRODUCTION_JWKS } from '../../helpers/production.js';
import { productionRaw, startupVerdict } from '../../helpers/startup.js';

const [ec = {}, rsa = {}] = PRODUCTION_JWKS.keys;
const publicOnly = (k: Record<string, unknown>) => Object.fromEntries(Object.entries(k).filter(([m]) => !['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(m)));

describe('start-up: a JWKS that cannot sign what the file enables', () => {
  it('TOK-9: no private key for PS256 while algorithms.idToken enables it', async () => {
    const verdict = await startupVerdict(productionRaw({ keys: { signing: { jwks: { keys: [ec] } } } }));
    assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['keys.signing', 'TOK-9']]);
    assert.match(verdict.text, /no private key for PS256/);
  });

  it('TOK-9: the same JWKS is fine when only ES256 is enabled', async () => {
    const verdict = await startupVerdict(productionRaw({ keys: { signing: { jwks: { keys: [ec] } } }, algorithms: { idToken: ['ES256'], accessToken: 'ES256' } }));
    assert.deepEqual(verdict.problems, []);
  });

  it('EP-7: public keys only are refused', async () => {
    const verdict = await startupVerdict(productionRaw({ keys: { signing: { jwks: { keys: [publicOnly(ec), publicOnly(rsa)] } } } }));
    assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['keys.signing', 'EP-7']]);
    assert.match(verdict.text, /public keys only/);
  });
});
