-- Replaces one node's list of its rooms in one step, so a reader never sees half of it.
--
-- KEYS[1]  the node's rooms hash: room -> members on that node
-- ARGV[1]  TTL of the hash in ms: a node that stops refreshing it drops out
-- ARGV[2..] room, members, room, members, ...
redis.call('DEL', KEYS[1])
for i = 2, #ARGV, 2 do
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
if #ARGV > 1 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return #ARGV
