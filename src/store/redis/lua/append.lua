-- Appends a message to one user's inbox, at most once per message id (retries are harmless),
-- and indexes it by conversation. All keys share the user's hash tag: one slot.
-- KEYS[1] inbox list, KEYS[2] msgid->seq hash, KEYS[3] conversations zset,
-- KEYS[4..3+n] one conversation zset per peer (msg id -> seq),
-- KEYS[4+n..3+2n] (only for an incoming entry) the same per peer for entries from others, which
-- the unread counts read (ZCOUNT after the read marker)
-- ARGV[1] message id, ARGV[2] entry JSON, ARGV[3] n, ARGV[4..3+n] peers (user ids or g<group>)
local seen = redis.call('HGET', KEYS[2], ARGV[1])
if seen then return tonumber(seen) end
local seq = redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], seq)
local n = tonumber(ARGV[3])
for i = 1, n do
  redis.call('ZADD', KEYS[3 + i], ARGV[1], seq)
  redis.call('ZADD', KEYS[3], ARGV[1], ARGV[3 + i])
  if KEYS[3 + n + i] then redis.call('ZADD', KEYS[3 + n + i], ARGV[1], seq) end
end
return seq
