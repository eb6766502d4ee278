// TOK-2, TOK-10: sealing, lookup, cookie and DPoP-nonce keys of one repeated byte, and an
// export token of one repeated character, stop start-up naming the field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawConfig } from '../../../src/config/schema.js';
import { KEY32, RANDOM_TEXT } from '../../helpers/production.js';
import { productionRaw, startupVerdict } from '../../helpers/startup.js';

const zeros = Buffer.alloc(32).toString('base64url');
const sevens = Buffer.alloc(32, 7).toString('base64url');

describe('start-up: keys that are not random (TOK-2, TOK-10)', () => {
  const cases: [string, NonNullable<RawConfig['secrets']>][] = [
    ['secrets.sealingKeys[0].key', { cookieKeys: [RANDOM_TEXT], sealingKeys: [{ kid: 'k1', key: zeros }], lookupKey: KEY32 }],
    ['secrets.lookupKey', { cookieKeys: [RANDOM_TEXT], sealingKeys: [{ kid: 'k1', key: KEY32 }], lookupKey: sevens }],
    ['secrets.cookieKeys[0]', { cookieKeys: ['x'.repeat(48)], sealingKeys: [{ kid: 'k1', key: KEY32 }], lookupKey: KEY32 }],
  ];
  for (const [field, secrets] of cases) {
    it(`TOK-2: ${field} of one repeated byte is refused`, async () => {
      const verdict = await startupVerdict(productionRaw({ secrets }));
      assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [[field, 'TOK-2']]);
    });
  }

  it('EP-2: an all-zero DPoP nonce key is refused', async () => {
    const verdict = await startupVerdict(productionRaw({ secrets: { cookieKeys: [RANDOM_TEXT], sealingKeys: [{ kid: 'k1', key: KEY32 }], lookupKey: KEY32, dpopNonceKey: zeros } }));
    assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['secrets.dpopNonceKey', 'EP-2']]);
  });

  it('TOK-10: an export token of one repeated character is refused, without echoing it', async () => {
    const token = 'x'.repeat(48);
    const verdict = await startupVerdict(productionRaw({ consent: { exportToken: token } }));
    assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['consent.exportToken', 'TOK-10']]);
    assert.ok(!verdict.text.includes(token));
  });
});
