-- Reads a room's presence on every live node.
--
-- KEYS[1]  the room's presence nodes: sorted set, node id -> the time its entries expire (ms)
-- ARGV[1]  a node's presence hash key of this room, without the node id
-- Returns user, sessions, user, sessions, ... over all live nodes; a user on two nodes appears twice.
local nodes, hash_of = KEYS[1], ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local result = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', nodes, now, '+inf')) do
    local entries = redis.call('HGETALL', hash_of .. node)
    for i = 1, #entries do
        result[#result + 1] = entries[i]
    end
end
return result
