// EP-2 (src/policy/secrets.ts): a client secret an attacker could guess is refused even when
// it is long enough: at least 32 characters, at least 10 distinct ones (a repeated pattern
// such as "abcabc…" has fewer). Each bound at the limit and one past it; the message never
// echoes the secret.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_SECRET_MIN_LENGTH, clientSecretWeakness, looksLowEntropy } from '../../src/policy/secrets.js';

describe('client secrets that look like secrets (EP-2)', () => {
  it('EP-2: 32 characters are enough, 31 are refused with the length to reach', () => {
    assert.equal(CLIENT_SECRET_MIN_LENGTH, 32);
    assert.equal(clientSecretWeakness('Zq3v9LkP0aWm2nXr8TcY7bHd4sJf6gUe'), undefined);
    assert.equal(clientSecretWeakness('Zq3v9LkP0aWm2nXr8TcY7bHd4sJf6gU'), 'must be at least 32 random characters');
  });

  it('EP-2: ten distinct characters pass, nine are visibly not random', () => {
    assert.equal(looksLowEntropy('0123456789'.repeat(4)), false);
    assert.equal(looksLowEntropy('012345678'.repeat(4)), true);
    assert.equal(clientSecretWeakness('012345678'.repeat(4)), 'is visibly not random (a repeated pattern or too few distinct characters)');
  });

  it('EP-2: a short unit repeated to length ("abcabc…", "ab12ab12…") is refused', () => {
    for (const unit of ['a', 'ab', 'abc', 'ab12', 'pass1234']) {
      assert.equal(clientSecretWeakness(unit.repeat(Math.ceil(40 / unit.length))), 'is visibly not random (a repeated pattern or too few distinct characters)', unit);
    }
  });
});
