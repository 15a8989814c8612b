package dev.roomcast.server;

import dev.roomcast.hub.CloseReason;
import dev.roomcast.hub.Loop;
import dev.roomcast.hub.PreparedEvent;
import dev.roomcast.hub.Session;
import dev.roomcast.protocol.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * A hub {@link Session} for one WebSocket channel. Confined to the channel's event loop, except
 * {@link #close}, which hops there.
 *
 * <p>Outbound data is bounded: the channel's high water mark is the configured outbound
 * buffer size. A frame that would cross it is dropped and the session closes with 1013 slow
 * consumer, so a client that stops reading costs at most that many bytes and never slows the
 * fan-out to anyone else.
 */
final class ChannelSession implements Session {

    private final String id;
    private final String user;
    private final Channel channel;
    private final Loop loop;
    private final WireFormat format;
    private boolean unflushed;
    private boolean closing;

    ChannelSession(String id, String user, Channel channel, Loop loop, WireFormat format) {
        this.id = id;
        this.user = user;
        this.channel = channel;
        this.loop = loop;
        this.format = format;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public Loop loop() {
        return loop;
    }

    @Override
    public boolean deliver(PreparedEvent event) {
        assert loop.inLoop() : "deliver off the session's loop";
        if (closing) {
            return false;
        }
        ByteBuf frame = ((EncodedEvent) event).frame(format);
        if (frame == null) {
            return false;
        }
        if (frame.readableBytes() > channel.bytesBeforeUnwritable()) {
            closing = true;
            // Scheduled, not inline: we are inside a fan-out over the room's members.
            loop.execute(() -> Connections.close(channel, CloseReason.SLOW_CONSUMER));
            return false;
        }
        channel.write(frame.retainedDuplicate(), channel.voidPromise());
        if (unflushed) {
            return false;
        }
        unflushed = true;
        return true;
    }

    @Override
    public void flush() {
        assert loop.inLoop() : "flush off the session's loop";
        unflushed = false;
        channel.flush();
    }

    @Override
    public void close(CloseReason reason) {
        if (!loop.inLoop()) {
            loop.execute(() -> close(reason));
            return;
        }
        if (!closing) {
            closing = true;
            Connections.close(channel, reason);
        }
    }

    @Override
    public String toString() {
        return "session " + id + " (" + user + ", " + channel.remoteAddress() + ")";
    }
}
