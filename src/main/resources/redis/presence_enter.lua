-- Counts one more session of a user in a room on one node; announces the user's first session in
-- the room on any live node, atomically with the count, so joined/left events follow the counts.
--
-- KEYS[1]  the room's presence nodes: sorted set, node id -> the time its entries expire (ms)
-- KEYS[2]  this node's presence hash of the room: user -> sessions
-- ARGV[1]  this node's id
-- ARGV[2]  the user
-- ARGV[3]  TTL of this node's entries in ms; the node's heartbeat refreshes it
-- ARGV[4]  the room's pub/sub channel
-- ARGV[5]  the encoded joined event
-- ARGV[6]  a node's presence hash key of this room, without the node id
-- Returns {1} when it announced, {0} otherwise.
local nodes, mine = KEYS[1], KEYS[2]
local node, user, ttl_ms = ARGV[1], ARGV[2], tonumber(ARGV[3])
local channel, joined, hash_of = ARGV[4], ARGV[5], ARGV[6]

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local here = redis.call('HINCRBY', mine, user, 1)
redis.call('PEXPIRE', mine, ttl_ms)
redis.call('ZADD', nodes, now + ttl_ms, node)
redis.call('PEXPIRE', nodes, ttl_ms)
if here > 1 then
    return {0}
end
-- Nodes that stopped refreshing (crashed) no longer count.
redis.call('ZREMRANGEBYSCORE', nodes, '-inf', now)
for _, other in ipairs(redis.call('ZRANGE', nodes, 0, -1)) do
    if other ~= node and tonumber(redis.call('HGET', hash_of .. other, user) or '0') > 0 then
        return {0}
    end
end
redis.call('PUBLISH', channel, joined)
return {1}
