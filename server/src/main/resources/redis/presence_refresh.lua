-- A node's heartbeat for one room: replaces its presence hash with the counts the node holds, and
-- keeps the node's entries alive for another TTL. Rewriting rather than only extending repairs
-- counts lost while Redis was unreachable or flushed.
--
-- KEYS[1]  the room's presence nodes: sorted set, node id -> the time its entries expire (ms)
-- KEYS[2]  this node's presence hash of the room: user -> sessions
-- ARGV[1]  this node's id
-- ARGV[2]  TTL of this node's entries in ms
-- ARGV[3], ARGV[4], ...  user, sessions, user, sessions, ...
-- Returns {}.
local nodes, mine = KEYS[1], KEYS[2]
local node, ttl_ms = ARGV[1], tonumber(ARGV[2])

redis.call('DEL', mine)
if #ARGV < 4 then
    redis.call('ZREM', nodes, node)
    return {}
end
-- In slices: unpack() of a very large room would overflow Lua's stack.
for i = 3, #ARGV, 200 do
    redis.call('HSET', mine, unpack(ARGV, i, math.min(i + 199, #ARGV)))
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('PEXPIRE', mine, ttl_ms)
redis.call('ZADD', nodes, now + ttl_ms, node)
redis.call('PEXPIRE', nodes, ttl_ms)
return {}
