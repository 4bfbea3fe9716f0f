-- A message carrying a file was recalled (or its send refused): its reference goes, and with the
-- last one the file is unreferenced from now on.
-- KEYS[1] the record, KEYS[2] its refs, KEYS[3] the unreferenced zset; ARGV[1] message id,
-- ARGV[2] now (ms), ARGV[3] file id.
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('HLEN', KEYS[2]) == 0 then
  redis.call('ZADD', KEYS[3], 'NX', ARGV[2], ARGV[3])
end
return 1
