-- Removes one record if it is still unreferenced since before the cutoff: the check and the
-- removal are one step, so a send marking it (file_mark.lua) comes wholly before (kept) or
-- after (refused). Two nodes sweeping at once: the second finds nothing to do.
-- KEYS[1] the record, KEYS[2] its refs, KEYS[3] the unreferenced zset, KEYS[4] the usage hash,
-- KEYS[5] file_by (owner, sha), KEYS[6] the content's set of ids; ARGV[1] id, ARGV[2] cutoff
-- (ms), ARGV[3] owner, ARGV[4] size, ARGV[5] the sha256 read with the record.
-- Returns -1 when nothing was removed, else how many records still have the content.
local since = redis.call('ZSCORE', KEYS[3], ARGV[1])
if not since or tonumber(since) >= tonumber(ARGV[2]) then return -1 end
if redis.call('HLEN', KEYS[2]) > 0 then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return -1
end
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HGET', KEYS[1], 'sha256') ~= ARGV[5] then return -1 end
redis.call('DEL', KEYS[1])
redis.call('HINCRBY', KEYS[4], ARGV[3], -tonumber(ARGV[4]))
if redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end
redis.call('SREM', KEYS[6], ARGV[1])
return redis.call('SCARD', KEYS[6])
