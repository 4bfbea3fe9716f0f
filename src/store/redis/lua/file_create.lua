-- Records an upload, or answers the owner's record of the same bytes (restarting its grace
-- period if no message references it). One step, so a sweep never removes a record between an
-- upload finding it and answering it.
-- KEYS[1] file_by (owner, sha) -> id, KEYS[2] the new record, KEYS[3] the record KEYS[1] named
-- when read (or KEYS[2]), KEYS[4] the content's set of ids, KEYS[5] the unreferenced zset,
-- KEYS[6] the usage hash; ARGV[1] new id, ARGV[2] the id KEYS[1] named when read ('' = none),
-- ARGV[3] now (ms), ARGV[4] owner, ARGV[5] size, ARGV[6] its upload time (ms: unreferenced
-- since), ARGV[7..] the record's fields and values.
-- Returns 0: KEYS[1] changed since it was read (read again), 1: the kept record, 2: created.
local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= ARGV[2] then return 0 end
if cur and redis.call('EXISTS', KEYS[3]) == 1 then
  if redis.call('ZSCORE', KEYS[5], cur) then redis.call('ZADD', KEYS[5], 'XX', ARGV[3], cur) end
  return 1
end
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[6], ARGV[1])
redis.call('HINCRBY', KEYS[6], ARGV[4], ARGV[5])
return 2
