// The request's context (src/ops/request-scope.ts) and the records a request opened
// (src/storage/request-scope.ts) share one AsyncLocalStorage (#13.7): each request still
// sees only its own id and its own records, inside or outside the Koa middleware's scope.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { currentRequest, withinRequest } from '../../src/ops/request-scope.js';
import { openedRecords, withRequestScope } from '../../src/storage/request-scope.js';

const owner = {};

describe('request scope (#13.7: one AsyncLocalStorage for the request context and the opened records)', () => {
  it('outside a request there is no context; withinRequest gives one that ends with it', async () => {
    assert.equal(currentRequest(), undefined);
    const seen = await withinRequest({ requestId: 'r-1', address: '127.0.0.1' }, async () => {
      await sleep(1);
      return currentRequest()?.requestId;
    });
    assert.equal(seen, 'r-1');
    assert.equal(currentRequest(), undefined);
    assert.equal(openedRecords(owner), undefined, 'no records kept outside a request');
  });

  it('inside the middleware\'s scope the context takes a slot in it: the same request sees the same opened records', async () => {
    await withRequestScope(async () => {
      const before = openedRecords(owner);
      before?.records.set('k', { json: '{}' });
      await withinRequest({ requestId: 'r-2', address: '127.0.0.1' }, async () => {
        await sleep(1);
        assert.equal(currentRequest()?.requestId, 'r-2');
        assert.equal(openedRecords(owner), before);
        assert.ok(openedRecords(owner)?.records.has('k'));
      });
    });
  });

  it('parallel requests keep their own id and records across awaits', async () => {
    const one = async (id: string, delay: number) =>
      withRequestScope(() =>
        withinRequest({ requestId: id, address: '127.0.0.1' }, async () => {
          openedRecords(owner)?.records.set(id, { json: '{}' });
          await sleep(delay);
          return { id: currentRequest()?.requestId, keys: [...(openedRecords(owner)?.records.keys() ?? [])] };
        }),
      );
    const [a, b] = await Promise.all([one('a', 15), one('b', 1)]);
    assert.deepEqual(a, { id: 'a', keys: ['a'] });
    assert.deepEqual(b, { id: 'b', keys: ['b'] });
  });
});
