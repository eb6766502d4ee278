// The store a deployment names (src/policy/store.ts): a Redis URL Redis clients can use
// (never echoed: it may hold a password), the memory store only where one process serves
// everyone, and a backend module (plugins.store) only where what it cannot share (the consent
// ledger, OIDC-8) is accepted. Each refusal with the field and the words an operator acts on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoreConfig } from '../../src/config/schema.js';
import { memoryStoreProblem, redisUrlProblem, storeModuleProblems } from '../../src/policy/store.js';

const memory = (extra: Partial<StoreConfig> = {}) => ({ type: 'memory', ...extra }) as StoreConfig;
const redis = { type: 'redis', url: 'redis://cache:6379' } as StoreConfig;

describe('the deployment\'s store', () => {
  it('a Redis URL needs redis:// or rediss:// and a host; a usable one passes; the URL is never echoed', () => {
    assert.equal(redisUrlProblem('redis://cache:6379'), undefined);
    assert.equal(redisUrlProblem('rediss://:s3cret@cache.internal:6380/2'), undefined);
    assert.equal(redisUrlProblem('//cache:6379'), 'is not a URL; use redis://host:port or rediss://host:port');
    assert.equal(redisUrlProblem('https://user:s3cret@cache:6379'), 'has the scheme "https:"; use redis:// or rediss://');
    assert.equal(redisUrlProblem('redis://'), 'names no host');
  });

  it('OIDC-8: in production a memory store needs store.singleInstance = true; development never asks', () => {
    const expected = { field: 'store.type', message: 'the memory store loses everything at restart and is not shared between replicas: use "redis", or declare a single-instance deployment with store.singleInstance = true' };
    assert.deepEqual(memoryStoreProblem(memory(), true), expected);
    assert.deepEqual(memoryStoreProblem(memory({ singleInstance: false }), true), expected);
    assert.equal(memoryStoreProblem(memory({ singleInstance: true }), true), undefined);
    assert.equal(memoryStoreProblem(memory(), false), undefined);
    assert.equal(memoryStoreProblem(redis, true), undefined);
  });

  it('a store module with store.type "redis" is refused: the module replaces the store, name one', () => {
    assert.deepEqual(storeModuleProblems(redis, true), [
      { field: 'plugins.store', message: 'names a store backend module, but store.type is "redis" (or REDIS_URL is set): the module replaces the store, so name one or the other' },
    ]);
  });

  it('a store module with store.maxEntries is refused: the module bounds itself', () => {
    assert.deepEqual(storeModuleProblems(memory({ maxEntries: 1000, singleInstance: true }), true), [
      { field: 'store.maxEntries', message: 'bounds the memory store only; with a plugins.store backend module the module bounds itself: remove it' },
    ]);
  });

  it('OIDC-8: in production a store module needs store.singleInstance = true (the ledger stays in one process); development does not', () => {
    const problems = storeModuleProblems(memory(), true);
    assert.deepEqual(problems.map((p) => [p.field, p.rule]), [['store.singleInstance', 'OIDC-8']]);
    assert.match(problems[0]?.message ?? '', /ledger is lost at restart\. Declare store\.singleInstance = true to accept that \(one replica\), or use store\.type "redis"$/);
    assert.deepEqual(storeModuleProblems(memory({ singleInstance: true }), true), []);
    assert.deepEqual(storeModuleProblems(memory(), false), []);
  });
});
