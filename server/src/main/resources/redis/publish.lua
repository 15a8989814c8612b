-- Appends one message to a room's history and publishes it, as one atomic step: the only way a
-- message enters a room, so offsets grow by exactly one per message whichever node publishes.
-- An ephemeral message (store = 0) is only published: no offset, not kept. A message with an
-- idempotency key whose key is already set is neither: the first publish's position is returned,
-- so a retry on any node within the window is answered without delivering twice.
--
-- KEYS[1]  the room's position hash {epoch, offset}
-- KEYS[2]  the room's history stream; each entry has one field, m = the encoded event
-- ARGV[1]  a fresh random epoch, used only if the room has none (new room, expired, flushed)
-- ARGV[2]  the encoded message without its position: a JSON object, '{' first
-- ARGV[3]  messages kept per room (0 keeps none)
-- ARGV[4]  oldest message kept, in ms (0 keeps them regardless of age)
-- ARGV[5]  TTL of the room's keys in ms, refreshed here: a room nobody publishes to expires
-- ARGV[6]  the room's pub/sub channel
-- ARGV[7]  1 to keep the message (an offset, history), 0 for an ephemeral one
-- KEYS[3]  optional: the idempotency key's key, holding "epoch:offset" (or "" for an ephemeral message)
-- ARGV[8]  with KEYS[3]: how long the key is remembered, in ms
-- ARGV[9]  epoch of the last message the publishing node delivered of the room, or '' if it has none
-- ARGV[10] offset of that message
-- ARGV[11] PUBLISH, or SPUBLISH on Redis Cluster (the channel carries the room's hash tag, so it is in the
--          slot of the keys above, as a sharded publish from a script must be)
-- Returns {epoch, offset} of the message (of the first publish with the key), or {} if it has none.
local position, stream, idempotency = KEYS[1], KEYS[2], KEYS[3]
local fresh_epoch, body, history_size = ARGV[1], ARGV[2], tonumber(ARGV[3])
local max_age_ms, ttl_ms, channel = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local store = ARGV[7] == '1'
local seen_epoch, seen_offset = ARGV[9], tonumber(ARGV[10])
local publish = ARGV[11]

if idempotency then
    local seen = redis.call('GET', idempotency)
    if seen then
        if seen == '' then
            return {}
        end
        local colon = string.find(seen, ':', 1, true)
        return {string.sub(seen, 1, colon - 1), tonumber(string.sub(seen, colon + 1))}
    end
end

if not store then
    redis.call(publish, channel, body)
    if idempotency then
        redis.call('SET', idempotency, '', 'PX', ARGV[8])
    end
    return {}
end

local epoch = redis.call('HGET', position, 'epoch')
-- Same rule as history.lua: without its position, with its stream gone from under a room that had
-- messages, or behind a message the node delivered (a failover to a replica that had not received it:
-- the next offsets would name other messages), the room's history is lost, so it starts a new epoch and
-- old positions stop recovering.
if not epoch or (history_size > 0 and redis.call('HGET', position, 'offset') ~= '0'
        and redis.call('EXISTS', stream) == 0)
        or (epoch == seen_epoch and tonumber(redis.call('HGET', position, 'offset')) < seen_offset) then
    epoch = fresh_epoch
    redis.call('DEL', stream)
    redis.call('HSET', position, 'epoch', epoch, 'offset', 0)
end
local offset = redis.call('HINCRBY', position, 'offset', 1)
-- The position goes first in the event; the rest is the body as the publisher encoded it.
local event = '{"e":"' .. epoch .. '","o":' .. string.format('%d', offset) .. ',' .. string.sub(body, 2)

if history_size > 0 then
    -- "~" trims whole macro nodes only (cheap); history.lua never reads beyond history_size anyway.
    redis.call('XADD', stream, 'MAXLEN', '~', history_size, '*', 'm', event)
    if max_age_ms > 0 then
        -- Entry IDs are Redis's own clock in ms, so "older than max age" is "ID below now - max age".
        local now = redis.call('TIME')
        local cutoff_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - max_age_ms
        redis.call('XTRIM', stream, 'MINID', '~', string.format('%d', cutoff_ms))
    end
    redis.call('PEXPIRE', stream, ttl_ms)
end
redis.call('PEXPIRE', position, ttl_ms)
redis.call(publish, channel, event)
if idempotency then
    redis.call('SET', idempotency, epoch .. ':' .. string.format('%d', offset), 'PX', ARGV[8])
end
return {epoch, offset}
