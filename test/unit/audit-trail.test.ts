// The audit trail itself: the line sink writes one JSON line per event and a sink's
// failure is reported, never thrown into the request; token references are keyed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { AUDIT_SCHEMA_VERSION, createAuditTrail, type AuditFailure } from '../../src/ops/audit.js';
import { withinRequest } from '../../src/ops/request-scope.js';
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

it('an event carries the request\'s who, the context where it says otherwise, then the details; empty values left out', () => {
  const seen: Record<string, unknown>[] = [];
  const trail = createAuditTrail({ write: (e) => void seen.push({ ...e }) }, Buffer.alloc(32, 7), () => undefined);
  withinRequest({ requestId: 'req-1', address: '192.0.2.1', clientId: 'from-request' }, () => {
    trail.emit('token.issued', { clientId: undefined, subject: 'sub-1' }, { grantType: 'authorization_code', reason: '', idToken: false });
    trail.emit('token.issued', { clientId: 'from-context' }, { classification: undefined });
  });
  trail.emit('token.revoked', { clientId: 'outside' });
  const [first, second, outside] = seen.map(({ time, ...rest }) => (assert.match(String(time), /^\d{4}-\d\d-\d\dT/), rest));
  assert.deepEqual(first, { type: 'audit', version: AUDIT_SCHEMA_VERSION, event: 'token.issued', requestId: 'req-1', clientId: 'from-request', address: '192.0.2.1', subject: 'sub-1', grantType: 'authorization_code', idToken: false });
  assert.deepEqual(Object.keys(first ?? {}), ['type', 'version', 'event', 'requestId', 'clientId', 'address', 'subject', 'grantType', 'idToken']);
  assert.deepEqual(second, { type: 'audit', version: AUDIT_SCHEMA_VERSION, event: 'token.issued', requestId: 'req-1', clientId: 'from-context', address: '192.0.2.1' });
  assert.deepEqual(outside, { type: 'audit', version: AUDIT_SCHEMA_VERSION, event: 'token.revoked', clientId: 'outside' });
});
