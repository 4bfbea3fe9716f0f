-- Once, for a record stored before clean-up existed: its content's set, its readers as a
-- reference (message unknown: '0'; kept while any reader exists), or unreferenced since upload.
-- Idempotent and atomic, so two nodes starting at once agree.
-- KEYS[1] the record, KEYS[2] its old readers set, KEYS[3] its refs, KEYS[4] the unreferenced
-- zset, KEYS[5] the content's set of ids; ARGV[1] id, ARGV[2] created_ms.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SADD', KEYS[5], ARGV[1])
if redis.call('HLEN', KEYS[3]) > 0 then return 1 end
local readers = redis.call('SMEMBERS', KEYS[2])
if #readers > 0 then
  redis.call('HSET', KEYS[3], '0', table.concat(readers, ','))
  redis.call('DEL', KEYS[2])
else
  redis.call('ZADD', KEYS[4], 'NX', ARGV[2], ARGV[1])
end
return 1
