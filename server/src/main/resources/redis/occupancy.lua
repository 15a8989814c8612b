-- Sets one node's members of a count room, drops the entries of nodes whose lease ran out (crashed), and
-- announces the room's total over the live nodes on its channel when it differs from the total last announced
-- (or when asked to), in one step, so the totals on the channel follow the entries.
--
-- KEYS[1]  the room's occupancy: hash, node id -> "members expiry-ms", and "=" -> the total last announced
-- ARGV[1]  this node's id
-- ARGV[2]  its members in the room; 0 removes its entry
-- ARGV[3]  the presence lease in ms: the entry counts for this long after the node last set it
-- ARGV[4]  the room's pub/sub channel
-- ARGV[5]  the encoded occupancy event before the number
-- ARGV[6]  the encoded occupancy event after the number
-- ARGV[7]  1 to announce the total even if it did not change (a node that has not heard it yet)
-- ARGV[8]  PUBLISH, or SPUBLISH on Redis Cluster (see publish.lua)
-- Returns {the total}.
local key = KEYS[1]
local node, members, ttl_ms = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local channel, before, after, force = ARGV[4], ARGV[5], ARGV[6], ARGV[7] == '1'
local publish = ARGV[8]

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if members > 0 then
    redis.call('HSET', key, node, members .. ' ' .. (now + ttl_ms))
else
    redis.call('HDEL', key, node)
end
local total, nodes = 0, 0
local entries = redis.call('HGETALL', key)
for i = 1, #entries, 2 do
    local field = entries[i]
    if field ~= '=' then
        local count, expiry = string.match(entries[i + 1], '^(%d+) (%d+)$')
        if tonumber(expiry) <= now then
            redis.call('HDEL', key, field)
        else
            total = total + tonumber(count)
            nodes = nodes + 1
        end
    end
end
if force or tonumber(redis.call('HGET', key, '=') or '-1') ~= total then
    redis.call(publish, channel, before .. total .. after)
end
if nodes == 0 then
    redis.call('DEL', key)
else
    redis.call('HSET', key, '=', total)
    redis.call('PEXPIRE', key, 2 * ttl_ms)
end
return {total}
