// The Redis store's atomic steps as small Lua scripts (EVALSHA, allowed on Azure Managed Redis): each reads and
// changes one plan, one client's sign-ins or one bucket in a single step, so two replicas can never both decide a
// plan or both use it. Every key a script touches carries the same hash tag, so a script stays in one slot.

/** KEYS: plan, page token. ARGV: new state, decision JSON, now, channel, plan id. Returns the plan's fields, or nil. */
export const DECIDE = `
if redis.call('HGET', KEYS[1], 'state') ~= 'pending' then return false end
if tonumber(ARGV[3]) >= tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) then return false end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'decision', ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return redis.call('HGETALL', KEYS[1])`;

/** KEYS: plan. ARGV: channel, plan id. Approved → used; 1 once, 0 ever after. */
export const USE = `
if redis.call('HGET', KEYS[1], 'state') ~= 'approved' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'used')
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1`;

/** KEYS: plan, page token. ARGV: a new token. The unspent token, or the new one; nil once the plan is not pending. */
export const PAGE_TOKEN = `
if redis.call('HGET', KEYS[1], 'state') ~= 'pending' then return false end
local t = redis.call('GET', KEYS[2])
if t then return t end
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return false end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ttl)
return ARGV[1]`;

/** KEYS: page token. ARGV: the presented token. 1 once when it matches, else 0. */
export const SPEND_PAGE_TOKEN = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/**
 * KEYS: the sign-in, the client's index (a sorted set of its states in the order they were started), its counter.
 * ARGV: sign-in JSON, (unused), (unused), max per client, ttl ms, state, key prefix of this client's sign-ins. The
 * client's own oldest go first (expired ones are the oldest, so they go before any live one).
 */
export const START_SIGN_IN = `
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4]) + 1
if over > 0 then
  for _, s in ipairs(redis.call('ZRANGE', KEYS[2], 0, over - 1)) do redis.call('DEL', ARGV[7] .. s) end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[5])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
return 1`;

/** KEYS: bucket. ARGV: now, per minute, burst, bucket life ms. The token bucket of tokenBucket.ts. Returns {ok, tokens}. */
export const TAKE = `
local now, perMs, burst = tonumber(ARGV[1]), tonumber(ARGV[2]) / 60000, tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(b[1]) or burst, tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * perMs)
local ok = 0
if tokens >= 1 then tokens = tokens - 1; ok = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {ok, tostring(tokens)}`;
