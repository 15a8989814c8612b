-- Counts one session of a user more or fewer in a room on one node, and announces the user's first
-- session in the room on any live node or its last one out, atomically with the count, so joined and
-- left events follow the counts.
--
-- KEYS[1]  the room's presence nodes: sorted set, node id -> the time its entries expire (ms)
-- KEYS[2]  this node's presence hash of the room: user -> sessions
-- ARGV[1]  this node's id
-- ARGV[2]  the user
-- ARGV[3]  1 for a session in, -1 for a session out
-- ARGV[4]  the presence lease in ms: the node's entries count as live for this long after its last
--          heartbeat or change; its hash is kept for two leases, so a surviving node's heartbeat can
--          still read a crashed node's users and announce them left (presence_refresh.lua)
-- ARGV[5]  the room's pub/sub channel
-- ARGV[6]  the encoded joined (for 1) or left (for -1) event
-- ARGV[7]  a node's presence hash key of this room, without the node id
-- ARGV[8]  PUBLISH, or SPUBLISH on Redis Cluster (see publish.lua)
-- Returns {1} when it announced, {0} otherwise.
local nodes, mine = KEYS[1], KEYS[2]
local node, user, delta, ttl_ms = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local channel, change, hash_of, publish = ARGV[5], ARGV[6], ARGV[7], ARGV[8]

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local keep_ms = 2 * ttl_ms
local here = redis.call('HINCRBY', mine, user, delta)
if delta > 0 then
    redis.call('PEXPIRE', mine, keep_ms)
    redis.call('ZADD', nodes, now + ttl_ms, node)
    redis.call('PEXPIRE', nodes, keep_ms)
    if here > 1 then
        return {0}
    end
else
    if here > 0 then
        redis.call('PEXPIRE', mine, keep_ms)
        return {0}
    end
    -- Below zero only when the count was lost (a flush, an outage); the user is gone from here either way.
    redis.call('HDEL', mine, user)
    if redis.call('EXISTS', mine) == 1 then
        redis.call('PEXPIRE', mine, keep_ms)
    else
        redis.call('ZREM', nodes, node)
    end
end
-- First in or last out here: announce unless another live node holds the user. Nodes whose lease ran
-- out (crashed) no longer count; they stay in the set for a survivor's heartbeat to announce their users left.
for _, other in ipairs(redis.call('ZRANGEBYSCORE', nodes, now, '+inf')) do
    if other ~= node and tonumber(redis.call('HGET', hash_of .. other, user) or '0') > 0 then
        return {0}
    end
end
redis.call(publish, channel, change)
return {1}
