// EP-7: every signing key is imported and test-signed at start-up; a key that cannot sign
// (an EC key whose d/x/y are "AA") or a key file holding `{}` stops start-up with a
// message naming the key or the file — never "Cannot read properties of undefined".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../src/config/errors.js';
import { signingKeyProblems } from '../../../src/provider/keys.js';
import { createIdp } from '../../../src/server.js';
import { configFrom } from '../../helpers/idp.js';
import { PRODUCTION_JWKS } from '../../helpers/production.js';
import { productionRaw, startupVerdict, tempFile } from '../../helpers/startup.js';

const bogusEc = { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', d: 'AA', alg: 'ES256', kid: 'bogus-ec' };
const [, rsa = {}] = PRODUCTION_JWKS.keys;

describe('start-up: unusable signing keys (EP-7)', () => {
  it('EP-7: an EC key with d/x/y of "AA" is refused, named by its kid', async () => {
    const verdict = await startupVerdict(productionRaw({ keys: { signing: { jwks: { keys: [bogusEc, rsa] } } } }));
    assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['keys.signing', 'EP-7']]);
    assert.match(verdict.text, /keys\[0\] \(kid "bogus-ec"\): is not a usable ES256 key/);
  });

  it('EP-7: a key whose public half does not match its private half is refused', async () => {
    const [ec = {}] = PRODUCTION_JWKS.keys;
    const other = (await import('jose')).generateKeyPair('ES256', { extractable: true });
    const { x, y } = await (await import('jose')).exportJWK((await other).publicKey);
    const problems = await signingKeyProblems({ keys: [{ ...ec, x, y }] });
    assert.equal(problems.length, 1);
  });

  it('EP-7: a key file holding {} is named, without a stack trace', async () => {
    const path = tempFile({}, 'empty-jwks.json');
    const verdict = await startupVerdict(productionRaw({ keys: { signing: { path } } }));
    assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['keys.signing.path', 'EP-7']]);
    assert.match(verdict.text, /does not hold a JWKS/);
    assert.doesNotMatch(verdict.text, /Cannot read properties/);
  });

  it('EP-7: createIdp itself refuses the bogus key before anything listens', async () => {
    await assert.rejects(createIdp(configFrom(productionRaw({ keys: { signing: { jwks: { keys: [bogusEc, rsa] } } } }))), (err) => err instanceof ConfigError && /bogus-ec/.test(err.format()));
  });

  it('the real keys pass', async () => {
    assert.deepEqual(await signingKeyProblems(PRODUCTION_JWKS), []);
  });
});
