// The sign-in throttle's thresholds on an explicit clock: free attempts, the doubling
// back-off and its ceiling, the lock, and what resets. Written against the in-process
// throttle's API (check/failure/success).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLoginThrottle } from '../../src/interactions/throttle.js';

const settings = { account: { freeAttempts: 3, lockAfter: 10 }, ip: { freeAttempts: 10, lockAfter: 50 }, baseDelay: 1, maxDelay: 8, lockFor: 900, window: 3600 };
const T = 1_800_000_000_000;
const s = (seconds: number) => T + seconds * 1000;

describe('sign-in throttle thresholds', () => {
  it('the free attempts pass without waiting; then each failure doubles the wait up to maxDelay', () => {
    const throttle = createLoginThrottle(settings);
    // distinct IPs so only the account counts
    for (let i = 1; i <= 3; i++) {
      throttle.failure('alice', `10.0.0.${i}`, T);
      assert.deepEqual(throttle.check('alice', '10.0.1.1', T), { allowed: true }, `free failure ${i}`);
    }
    const waits: number[] = [];
    let now = T;
    for (let i = 4; i <= 8; i++) {
      throttle.failure('alice', `10.0.0.${i}`, now);
      const verdict = throttle.check('alice', '10.0.1.1', now);
      assert.equal(verdict.allowed, false);
      if (!verdict.allowed) {
        assert.equal(verdict.locked, false);
        waits.push(verdict.retryAfter);
        now += verdict.retryAfter * 1000;
      }
      assert.deepEqual(throttle.check('alice', '10.0.1.1', now), { allowed: true }, 'the wait ends');
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 8]);
  });

  it('the lock comes at lockAfter failures, not one before, and lasts lockFor', () => {
    const throttle = createLoginThrottle({ ...settings, maxDelay: 1 });
    let now = T;
    for (let i = 1; i <= 9; i++) {
      throttle.failure('bob', `10.0.0.${i}`, now);
      now += 1000;
    }
    const before = throttle.check('bob', '10.0.1.1', now);
    assert.deepEqual(before, { allowed: true }, 'nine failures: back-off only');
    throttle.failure('bob', '10.0.0.10', now);
    assert.deepEqual(throttle.check('bob', '10.0.1.1', now), { allowed: false, retryAfter: 900, locked: true });
    assert.deepEqual(throttle.check('bob', '10.0.1.1', now + 899_000), { allowed: false, retryAfter: 1, locked: true });
    assert.deepEqual(throttle.check('bob', '10.0.1.1', now + 900_000), { allowed: true });
    // after a lock, back-off resumes at once: the next failure waits
    throttle.failure('bob', '10.0.0.11', now + 900_000);
    assert.equal(throttle.check('bob', '10.0.1.1', now + 900_000).allowed, false);
  });

  it('the account name counts whatever its case or surrounding spaces; a success clears the account, not the IP', () => {
    const throttle = createLoginThrottle(settings);
    for (const name of ['Carol', ' carol', 'CAROL ', 'carol']) throttle.failure(name, '10.9.9.9', s(0));
    assert.equal(throttle.check('carol', '10.0.0.1', s(0)).allowed, false);
    throttle.success('carol', '10.9.9.9');
    assert.deepEqual(throttle.check('carol', '10.0.0.1', s(0)), { allowed: true });
    for (let i = 0; i < 7; i++) throttle.failure(`user${i}`, '10.9.9.9', s(0));
    assert.equal(throttle.check('someone-else', '10.9.9.9', s(0)).allowed, false, 'eleven failures from one IP: that IP waits');
    throttle.success('someone-else', '10.9.9.9');
    assert.equal(throttle.check('someone-else', '10.9.9.9', s(0)).allowed, false, 'one known password does not reset the IP');
  });

  it('failures are forgotten after the window without one', () => {
    const throttle = createLoginThrottle(settings);
    for (let i = 0; i < 3; i++) throttle.failure('dave', `10.0.0.${i}`, s(0));
    throttle.failure('dave', '10.0.0.9', s(3601));
    assert.deepEqual(throttle.check('dave', '10.0.1.1', s(3601)), { allowed: true }, 'a fresh count: one failure is free');
  });
});
