-- Reads a room's history as one atomic step: the position and the messages are from the same instant.
--
-- KEYS[1]  the room's position hash {epoch, offset}
-- KEYS[2]  the room's history stream (see publish.lua)
-- ARGV[1]  a fresh random epoch, used only if the room has none: a room's epoch starts with its first use
-- ARGV[2]  epoch of the position the caller saw last, or '' for "the newest messages"
-- ARGV[3]  offset of that position
-- ARGV[4]  at most this many messages
-- ARGV[5]  messages kept per room
-- ARGV[6]  oldest message kept, in ms (0 keeps them regardless of age)
-- ARGV[7]  TTL of the room's keys in ms, set only when this read creates the room
-- ARGV[8]  epoch of the last message the reading node delivered of the room, or '' if it has none
-- ARGV[9]  offset of that message
-- Returns {epoch, offset, kept, event...}: the room's current position; how many of the messages after the
-- caller's position are still kept (-1 if that position is from another epoch or beyond the current one);
-- then the oldest at most ARGV[4] of those messages (the newest ones when ARGV[2] is ''), oldest first.
local position, stream = KEYS[1], KEYS[2]
local fresh_epoch, since_epoch, since_offset = ARGV[1], ARGV[2], tonumber(ARGV[3])
local limit, history_size, max_age_ms, ttl_ms = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local seen_epoch, seen_offset = ARGV[8], tonumber(ARGV[9])

local epoch = redis.call('HGET', position, 'epoch')
-- Same rule as publish.lua: a room whose history is lost starts a new epoch. Only the node's own position
-- counts as seen, never a client's: a client could name any offset and move every room to a new epoch.
if not epoch or (history_size > 0 and redis.call('HGET', position, 'offset') ~= '0'
        and redis.call('EXISTS', stream) == 0)
        or (epoch == seen_epoch and tonumber(redis.call('HGET', position, 'offset')) < seen_offset) then
    epoch = fresh_epoch
    redis.call('DEL', stream)
    redis.call('HSET', position, 'epoch', epoch, 'offset', 0)
    redis.call('PEXPIRE', position, ttl_ms)
end
local last = tonumber(redis.call('HGET', position, 'offset'))

local wanted
if since_epoch == '' then
    wanted = math.min(limit, history_size)
elseif since_epoch ~= epoch or since_offset > last then
    return {epoch, last, -1}
else
    -- Offsets in the stream are contiguous up to the newest, so the messages after the caller's
    -- position are exactly the newest (last - since) entries, as far as they are still kept.
    wanted = math.min(last - since_offset, history_size)
end

local entries = {}
if wanted > 0 then
    -- Publishing trims by age only roughly ("~"), so the read applies the exact cutoff itself.
    local oldest_id = '-'
    if max_age_ms > 0 then
        local now = redis.call('TIME')
        oldest_id = string.format('%d', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - max_age_ms)
    end
    entries = redis.call('XREVRANGE', stream, '+', oldest_id, 'COUNT', wanted)
end
local kept = #entries
local reply = {epoch, last, kept}
for i = kept, math.max(1, kept - limit + 1), -1 do
    reply[#reply + 1] = entries[i][2][2]
end
return reply
