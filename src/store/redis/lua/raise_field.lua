-- Raises a numeric field of a hash, never lowering it; returns 1 when it rose.
-- KEYS[1] the hash; ARGV[1] the field, ARGV[2] the new value
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > cur then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
