-- Counts one session of a user fewer in a room on one node; announces the user's last session out
-- of the room on every live node, atomically with the count.
--
-- KEYS[1]  the room's presence nodes: sorted set, node id -> the time its entries expire (ms)
-- KEYS[2]  this node's presence hash of the room: user -> sessions
-- ARGV[1]  this node's id
-- ARGV[2]  the user
-- ARGV[3]  TTL of this node's entries in ms
-- ARGV[4]  the room's pub/sub channel
-- ARGV[5]  the encoded left event
-- ARGV[6]  a node's presence hash key of this room, without the node id
-- Returns {1} when it announced, {0} otherwise.
local nodes, mine = KEYS[1], KEYS[2]
local node, user, ttl_ms = ARGV[1], ARGV[2], tonumber(ARGV[3])
local channel, left, hash_of = ARGV[4], ARGV[5], ARGV[6]

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local here = redis.call('HINCRBY', mine, user, -1)
if here > 0 then
    redis.call('PEXPIRE', mine, ttl_ms)
    return {0}
end
-- Below zero only when the count was lost (a flush, an outage); the user is gone from here either way.
redis.call('HDEL', mine, user)
if redis.call('EXISTS', mine) == 1 then
    redis.call('PEXPIRE', mine, ttl_ms)
else
    redis.call('ZREM', nodes, node)
end
redis.call('ZREMRANGEBYSCORE', nodes, '-inf', now)
for _, other in ipairs(redis.call('ZRANGE', nodes, 0, -1)) do
    if other ~= node and tonumber(redis.call('HGET', hash_of .. other, user) or '0') > 0 then
        return {0}
    end
end
redis.call('PUBLISH', channel, left)
return {1}
