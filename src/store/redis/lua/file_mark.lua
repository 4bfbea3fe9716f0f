-- A send references a file, before any inbox shows the message: the record must still be there
-- (a sweep may have removed it since the send's check) and is no longer unreferenced.
-- KEYS[1] the record, KEYS[2] its refs (hash: message id -> readers), KEYS[3] the unreferenced
-- zset; ARGV[1] message id, ARGV[2] readers ('g<id>' or 'u<id>,u<id>...'), ARGV[3] file id.
-- Returns 0 when the record is gone (nothing marked), 1 otherwise.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[3])
return 1
