// The Lua scripts of the Redis store (redis.ts): each multi-key step is one script on
// one hash slot, so it is atomic and works on Cluster. Key layout: see redis.ts.
import { Script } from './redis-client.js';

// KEYS: record, index. ARGV: sealed value, ttl in ms ("" = no expiry).
export const UPSERT_INDEXED = new Script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
if ttl then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
  redis.call('ZADD', KEYS[2], now + ttl, KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('ZADD', KEYS[2], '+inf', KEYS[1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. now)
local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if top[2] == 'inf' then
  redis.call('PERSIST', KEYS[2])
else
  redis.call('PEXPIRE', KEYS[2], math.max(1, tonumber(top[2]) - now))
end
return 1
`);

// KEYS: record, index.
export const DESTROY_INDEXED = new Script(`
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], KEYS[1])
if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[2]) end
return 1
`);

// KEYS: one or more indexes of one grant. Their members are record keys of the same slot.
export const REVOKE = new Script(`
local n = 0
for k = 1, #KEYS do
  local members = redis.call('ZRANGE', KEYS[k], 0, -1)
  for i = 1, #members, 500 do
    redis.call('DEL', unpack(members, i, math.min(i + 499, #members)))
  end
  redis.call('DEL', KEYS[k])
  n = n + #members
end
return n
`);

// TOK-1: compare-and-set. KEYS: record. ARGV: the sealed value read, the consumed value.
// Writes only if nobody changed the record since it was read; keeps the remaining TTL.
export const CONSUME = new Script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
`);

// KEYS: key. ARGV: expected value. Deletes a pointer only if it still points where we think.
export const DELETE_IF = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);


// Standalone and Sentinel only (one keyspace): follow a locator in the same round trip.
// KEYS: home. ARGV: key prefix, lookup. Returns nil, {value} or {locator, sealed}; a
// dangling locator (grant revoked, record expired) is dropped on the way.
export const LOCATE = new Script(`
local v = redis.call('GET', KEYS[1])
if not v then return false end
if string.sub(v, 1, 1) ~= '@' then return {v} end
local s = redis.call('GET', ARGV[1] .. '{g:' .. string.sub(v, 2) .. '}r:' .. ARGV[2])
if not s then
  redis.call('DEL', KEYS[1])
  return false
end
return {v, s}
`);
