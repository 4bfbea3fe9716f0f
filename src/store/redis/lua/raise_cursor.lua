-- Raises a user's delivered cursor, never lowering it.
-- KEYS[1] the user's profile hash; ARGV[1] the seq written to a connection
local cur = tonumber(redis.call('HGET', KEYS[1], 'delivered_seq') or '0')
if tonumber(ARGV[1]) > cur then redis.call('HSET', KEYS[1], 'delivered_seq', ARGV[1]) end
return 0
