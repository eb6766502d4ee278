// The audit trail itself: the line sink writes one JSON line per event and a sink's
// failure is reported, never thrown into the request; token references are keyed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { createAuditTrail, type AuditFailure } from '../../src/ops/audit.js';
import { lineSink } from '../../src/ops/audit-sinks.js';

it('the stdout-style line sink: one JSON line per event, and no failure reported', () => {
  const lines: string[] = [];
  const failures: AuditFailure[] = [];
  // process.stdout.write answers a boolean; the sink must not mistake it for a promise.
  const trail = createAuditTrail(lineSink((l) => lines.push(l) > 0), randomBytes(32), (f) => failures.push(f));
  trail.emit('signin.failed', { clientId: 'web' }, { reason: 'credentials' });
  assert.deepEqual(failures, []);
  assert.equal(lines.length, 1);
  assert.ok(lines[0]?.endsWith('\n'));
  const event = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  assert.equal(event.event, 'signin.failed');
  assert.equal(event.clientId, 'web');
  assert.equal(event.version, 1);
});

it('a failing sink is reported (sync or async) and the caller goes on', async () => {
  const failures: AuditFailure[] = [];
  const throwing = createAuditTrail({ write: () => { throw new TypeError('down'); } }, randomBytes(32), (f) => failures.push(f));
  throwing.emit('token.issued', {});
  const rejecting = createAuditTrail({ write: () => Promise.reject(new RangeError('down')) }, randomBytes(32), (f) => failures.push(f));
  rejecting.emit('token.revoked', {});
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(failures, [{ event: 'token.issued', error: 'TypeError' }, { event: 'token.revoked', error: 'RangeError' }]);
});

it('token references are keyed: the same id gives the same reference under one key, another under another key', () => {
  const key = randomBytes(32);
  const a = createAuditTrail({ write: () => undefined }, key, () => undefined);
  const b = createAuditTrail({ write: () => undefined }, randomBytes(32), () => undefined);
  assert.equal(a.tokenRef('jti-1'), a.tokenRef('jti-1'));
  assert.notEqual(a.tokenRef('jti-1'), b.tokenRef('jti-1'));
  assert.ok(!a.tokenRef('jti-1')?.includes('jti'));
  assert.equal(a.tokenRef(undefined), undefined);
});
