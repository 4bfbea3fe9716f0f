-- Appends a message to one user's inbox, at most once per message id (retries are harmless),
-- and indexes it by conversation peer. All keys share the user's hash tag: one slot.
-- KEYS[1] inbox list, KEYS[2] msgid->seq hash, KEYS[3] conversations zset,
-- KEYS[4..] one conversation zset per peer
-- ARGV[1] message id, ARGV[2] entry JSON, ARGV[3..] peer ids (same order as KEYS[4..])
local seen = redis.call('HGET', KEYS[2], ARGV[1])
if seen then return tonumber(seen) end
local seq = redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], seq)
for i = 4, #KEYS do
  redis.call('ZADD', KEYS[i], ARGV[1], seq)
  redis.call('ZADD', KEYS[3], ARGV[1], ARGV[i - 1])
end
return seq
