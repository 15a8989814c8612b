-- Which subjects (the webhooks' rooms and users) the live nodes hold, as one atomic step per change: whether a
-- node's taking a subject is its first holder anywhere, whether its letting go leaves it held nowhere, and the
-- claim on what crashed nodes held. Every call first reaps the nodes whose lease ran out: each subject such a
-- node held that no live node (the caller included) holds is returned to the caller, once, since the node's
-- entries are deleted in the same step; so exactly one live node hears of it.
--
-- KEYS[1]  sorted set: node id -> the time its lease ends (ms, Redis's clock)
-- KEYS[2]  the calling node's hash: subject -> 1, and the field '.' that says the hash was written whole
-- ARGV[1]  the calling node's id
-- ARGV[2]  a node's hash key, without the node id
-- ARGV[3]  the lease in ms: the caller's entries count as live for this long
-- ARGV[4]  how long the hashes and the set are kept (ms): a crashed node's entries wait this long for a live node
-- ARGV[5]  'hold' or 'release' ARGV[6]; 'beat' (only the lease); 'rewrite' (the lease, and the caller's hash
--          replaced by ARGV[6..])
-- Returns {answer, orphan...}: for hold, 1 if no other live node held the subject; for release, 1 if no live
-- node holds it now; for beat, 1 if the caller's hash is whole (0: Redis lost it, the caller should rewrite it);
-- then the orphaned subjects.
local nodes, mine = KEYS[1], KEYS[2]
local node, hash_of, lease_ms, keep_ms, op = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local live = redis.call('ZRANGEBYSCORE', nodes, now, '+inf')
local function held_elsewhere(subject)
    for _, other in ipairs(live) do
        if other ~= node and redis.call('HEXISTS', hash_of .. other, subject) == 1 then
            return true
        end
    end
    return false
end

local reply = {0}
local orphaned = {}
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', nodes, '-inf', '(' .. now)) do
    -- The caller's own lease may have run out while it stalled: it is alive, so it renews it below.
    if dead ~= node then
        for _, subject in ipairs(redis.call('HKEYS', hash_of .. dead)) do
            if subject ~= '.' and not orphaned[subject] and redis.call('HEXISTS', mine, subject) == 0
                    and not held_elsewhere(subject) then
                orphaned[subject] = true
                reply[#reply + 1] = subject
            end
        end
        redis.call('DEL', hash_of .. dead)
        redis.call('ZREM', nodes, dead)
    end
end

redis.call('ZADD', nodes, now + lease_ms, node)
redis.call('PEXPIRE', nodes, keep_ms)
if op == 'hold' then
    reply[1] = held_elsewhere(ARGV[6]) and 0 or 1
    redis.call('HSET', mine, ARGV[6], '1')
elseif op == 'release' then
    redis.call('HDEL', mine, ARGV[6])
    reply[1] = held_elsewhere(ARGV[6]) and 0 or 1
elseif op == 'rewrite' then
    redis.call('DEL', mine)
    redis.call('HSET', mine, '.', '1')
    -- In slices: unpack() of a very large list would overflow Lua's stack.
    for i = 6, #ARGV, 100 do
        local fields = {}
        for j = i, math.min(i + 99, #ARGV) do
            fields[#fields + 1] = ARGV[j]
            fields[#fields + 1] = '1'
        end
        redis.call('HSET', mine, unpack(fields))
    end
    reply[1] = 1
else
    reply[1] = redis.call('HEXISTS', mine, '.')
end
if redis.call('EXISTS', mine) == 1 then
    redis.call('PEXPIRE', mine, keep_ms)
end
return reply
