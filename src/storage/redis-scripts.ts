// The Lua scripts of the Redis store (redis.ts): each multi-key step is one script on
// one hash slot, so it is atomic and works on Cluster. Key layout: see redis.ts.
import { Script } from './redis-client.js';

// Write a grant's record and keep its index: KEYS[r] record, KEYS[r + 1] index; ARGV[a]
// sealed value, ARGV[a + 1] ttl in ms ("" = no expiry). Expired members are pruned on every
// add; the index lives as long as its longest-lived member. Its remaining TTL is read
// before the add, so the usual add (a member that outlives nothing) costs no ZRANGE and no
// PEXPIRE; an index without expiry (it held a member without one) is recomputed in full.
function indexedWrite(r: number, a: number): string {
  return `
local rec, idx = KEYS[${r}], KEYS[${r + 1}]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[${a + 1}])
local left = redis.call('PTTL', idx)
if ttl then
  redis.call('SET', rec, ARGV[${a}], 'PX', ttl)
  redis.call('ZADD', idx, now + ttl, rec)
else
  redis.call('SET', rec, ARGV[${a}])
  redis.call('ZADD', idx, '+inf', rec)
end
redis.call('ZREMRANGEBYSCORE', idx, '-inf', '(' .. now)
if not ttl then
  redis.call('PERSIST', idx)
elseif left == -2 then
  redis.call('PEXPIRE', idx, ttl)
elseif left == -1 then
  local top = redis.call('ZRANGE', idx, -1, -1, 'WITHSCORES')
  if top[2] == 'inf' then
    redis.call('PERSIST', idx)
  else
    redis.call('PEXPIRE', idx, math.max(1, tonumber(top[2]) - now))
  end
elseif left < ttl then
  redis.call('PEXPIRE', idx, ttl)
end
`;
}

// KEYS: record, index. ARGV: sealed value, ttl in ms ("" = no expiry).
export const UPSERT_INDEXED = new Script(`${indexedWrite(1, 1)}
return 1
`);

/** Lua: remove the record `rec` of a grant and its place in the index `idx`. */
const DESTROY_MEMBER = `
  redis.call('DEL', rec)
  redis.call('ZREM', idx, rec)
  if redis.call('ZCARD', idx) == 0 then redis.call('DEL', idx) end
`;

// Standalone and Sentinel only (one keyspace): a grant's record written in one round trip.
// KEYS: home, record, index, aliases…. ARGV: sealed value, ttl in ms ("" = none), locator
// "@<tag>", key prefix, lookup, model. Points home (and the aliases) at the record in the
// grant's slot; a record that belonged to another grant before leaves that grant's slot and index.
export const UPSERT_GRANTED = new Script(`
local old
if tonumber(ARGV[2]) then
  old = redis.call('SET', KEYS[1], ARGV[3], 'PX', tonumber(ARGV[2]), 'GET')
  for i = 4, #KEYS do redis.call('SET', KEYS[i], ARGV[5], 'PX', tonumber(ARGV[2])) end
else
  old = redis.call('SET', KEYS[1], ARGV[3], 'GET')
  for i = 4, #KEYS do redis.call('SET', KEYS[i], ARGV[5]) end
end
if old and string.sub(old, 1, 1) == '@' and old ~= ARGV[3] then
  local slot = ARGV[4] .. '{g:' .. string.sub(old, 2) .. '}'
  local rec, idx = slot .. 'r:' .. ARGV[5], slot .. 'i:' .. ARGV[6]
  ${DESTROY_MEMBER}
end
${indexedWrite(2, 1)}
return 1
`);

// Standalone and Sentinel only: a record, its grant slot and index entry, and the aliases
// that still point at it, removed in one round trip. KEYS: home, aliases…. ARGV: lookup,
// key prefix, model, "1" when the model's records may live in a grant's slot.
export const DESTROY_HOME = new Script(`
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
if ARGV[4] == '1' then
  local v = redis.call('GET', KEYS[1])
  if v and string.sub(v, 1, 1) == '@' then
    local slot = ARGV[2] .. '{g:' .. string.sub(v, 2) .. '}'
    local rec, idx = slot .. 'r:' .. ARGV[1], slot .. 'i:' .. ARGV[3]
    ${DESTROY_MEMBER}
  end
end
redis.call('DEL', KEYS[1])
return 1
`);

// KEYS: record, index.
export const DESTROY_INDEXED = new Script(`
local rec, idx = KEYS[1], KEYS[2]
${DESTROY_MEMBER}
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


/** Lua: the record whose home is `home` and lookup `lookup`: false, {value} or {locator, sealed}. */
const LOCATE_BODY = `
local v = redis.call('GET', home)
if not v then return false end
if string.sub(v, 1, 1) ~= '@' then return {v} end
local s = redis.call('GET', ARGV[1] .. '{g:' .. string.sub(v, 2) .. '}r:' .. lookup)
if not s then
  redis.call('DEL', home)
  return false
end
return {v, s}
`;

// Standalone and Sentinel only (one keyspace): follow a locator in the same round trip.
// KEYS: home. ARGV: key prefix, lookup. Returns nil, {value} or {locator, sealed}; a
// dangling locator (grant revoked, record expired) is dropped on the way.
export const LOCATE = new Script(`
local home, lookup = KEYS[1], ARGV[2]
${LOCATE_BODY}`);

// Standalone and Sentinel only: the same through an alias (Session uid, DeviceCode user
// code), in one round trip. KEYS: alias. ARGV: key prefix. Returns nil or
// {lookup, value} / {lookup, locator, sealed}.
export const LOCATE_ALIAS = new Script(`
local lookup = redis.call('GET', KEYS[1])
if not lookup then return false end
local home = ARGV[1] .. '{' .. lookup .. '}'
local found = (function()
${LOCATE_BODY}
end)()
if not found then return false end
table.insert(found, 1, lookup)
return found
`);
