// EP-2: a static client's secret that is short or visibly not random stops production
// start-up (development warns), naming the client and never echoing the secret.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientSecretWeakness } from '../../../src/policy/secrets.js';
import { web } from '../../helpers/clients.js';
import { testRawConfig } from '../../helpers/idp.js';
import { productionRaw, startupVerdict } from '../../helpers/startup.js';

const withSecret = (secret: string) => ({ ...web.metadata, client_secret: secret });

describe('start-up: weak client secrets (EP-2)', () => {
  for (const [label, secret] of [
    ['shorter than 32 characters', 'short-secret-0123456789'],
    ['one character repeated', 'a'.repeat(40)],
    ['a short unit repeated', 'abc1'.repeat(10)],
  ] as const) {
    it(`EP-2: production refuses a client secret ${label}`, async () => {
      const verdict = await startupVerdict(productionRaw({ clients: [withSecret(secret)] }));
      assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['clients[0].client_secret', 'EP-2']]);
      assert.match(verdict.text, /client "web"/);
      assert.ok(!verdict.text.includes(secret), 'the secret is not echoed');
    });
  }

  it('EP-2: development mode warns instead, so a local trial still starts', async () => {
    const verdict = await startupVerdict(testRawConfig('http://127.0.0.1:1', { clients: [withSecret('dev-secret')] }));
    assert.deepEqual(verdict.problems, []);
    assert.deepEqual(verdict.warnings.map((p) => [p.field, p.rule]), [['clients[0].client_secret', 'EP-2']]);
  });

  it('EP-2: a long random secret is fine', () => {
    assert.equal(clientSecretWeakness('Zq3v9LkP0aWm2nXr8TcY7bHd4sJf6gUe'), undefined);
  });
});
