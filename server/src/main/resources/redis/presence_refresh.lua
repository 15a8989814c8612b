-- A node's heartbeat for one room: replaces its presence hash with the counts the node holds, and
-- keeps the node's entries alive for another lease. Rewriting rather than only extending repairs
-- counts lost while Redis was unreachable or flushed; the users whose change the node could not
-- run then are announced now if their presence here differs from what the room was told of them
-- (joined if the node holds them, else left), unless another live node holds them. What the room was
-- told is what the hash last said, or, when Redis lost its data meanwhile (restarted empty), what the
-- node remembers and passes (RedisPresenceStore). Then it reaps the nodes whose lease ran out
-- (crashed): each of their users that no live node holds is announced left, once, since the node's
-- entries are deleted in the same step.
--
-- KEYS[1]  the room's presence nodes: sorted set, node id -> the time its lease ends (ms)
-- KEYS[2]  this node's presence hash of the room: user -> sessions
-- ARGV[1]  this node's id
-- ARGV[2]  the presence lease in ms; hashes are kept for two leases so that a crashed node's can be read
-- ARGV[3]  the room's pub/sub channel
-- ARGV[4]  a node's presence hash key of this room, without the node id
-- ARGV[5], ARGV[6]  the encoded left event of the room before and after the JSON string of the user
-- ARGV[7], ARGV[8]  the same for the joined event
-- ARGV[9]  PUBLISH, or SPUBLISH on Redis Cluster (see publish.lua)
-- ARGV[10] how many users to announce follow
-- ARGV[11], ...  those users, each followed by what the room was told of it: 'h' to read it from this
--          node's hash, '1' present, '0' absent
-- then  user, sessions, user, sessions, ...
-- Returns the number of users announced.
local nodes, mine = KEYS[1], KEYS[2]
local node, ttl_ms, channel, hash_of = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local left_before, left_after, joined_before, joined_after = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local publish, reconciled = ARGV[9], tonumber(ARGV[10])
local keep_ms = 2 * ttl_ms
local first_count = 11 + 2 * reconciled

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- What the room was last told of each user to announce: whether this node's hash held them, unless the
-- node says.
local told = {}
for i = 11, 9 + 2 * reconciled, 2 do
    if ARGV[i + 1] == 'h' then
        told[ARGV[i]] = tonumber(redis.call('HGET', mine, ARGV[i]) or '0') > 0
    else
        told[ARGV[i]] = ARGV[i + 1] == '1'
    end
end
redis.call('DEL', mine)
if #ARGV < first_count + 1 then
    redis.call('ZREM', nodes, node)
else
    -- In slices: unpack() of a very large room would overflow Lua's stack.
    for i = first_count, #ARGV, 200 do
        redis.call('HSET', mine, unpack(ARGV, i, math.min(i + 199, #ARGV)))
    end
    redis.call('PEXPIRE', mine, keep_ms)
    redis.call('ZADD', nodes, now + ttl_ms, node)
    redis.call('PEXPIRE', nodes, keep_ms)
end

local live = redis.call('ZRANGEBYSCORE', nodes, now, '+inf')
local function held_by_another(user)
    for _, other in ipairs(live) do
        if other ~= node and tonumber(redis.call('HGET', hash_of .. other, user) or '0') > 0 then
            return true
        end
    end
    return false
end
local count = 0
for i = 11, 9 + 2 * reconciled, 2 do
    local user = ARGV[i]
    local here = tonumber(redis.call('HGET', mine, user) or '0') > 0
    if here ~= told[user] and not held_by_another(user) then
        local before, after = left_before, left_after
        if here then
            before, after = joined_before, joined_after
        end
        count = count + 1
        redis.call(publish, channel, before .. cjson.encode(user) .. after)
    end
end

local expired = redis.call('ZRANGEBYSCORE', nodes, '-inf', '(' .. now)
local announced = {}
for _, dead in ipairs(expired) do
    local entries = redis.call('HGETALL', hash_of .. dead)
    for i = 1, #entries, 2 do
        local user = entries[i]
        if tonumber(entries[i + 1]) > 0 and not announced[user] and not held_by_another(user)
                and tonumber(redis.call('HGET', mine, user) or '0') == 0 then
            announced[user] = true
            count = count + 1
            redis.call(publish, channel, left_before .. cjson.encode(user) .. left_after)
        end
    end
    redis.call('DEL', hash_of .. dead)
    redis.call('ZREM', nodes, dead)
end
return count
