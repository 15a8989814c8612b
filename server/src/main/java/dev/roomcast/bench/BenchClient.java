package dev.roomcast.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;

/**
 * One bench connection: completes {@link #handshake()} when the WebSocket is open (and joined),
 * finds the bench payload in each text frame and hands its send time to the scenario.
 * Confined to its channel's event loop, except {@link #send} and {@link #close}, which Netty
 * hands to the loop when called from elsewhere.
 */
final class BenchClient extends ChannelInboundHandlerAdapter {

    /** What a scenario does with each bench message a client receives; runs on the client's loop. */
    @FunctionalInterface
    interface Listener {
        void onMessage(BenchClient client, long sentNanos, long nowNanos);
    }

    private final int index;
    private final String room;
    private final WireProtocol protocol;
    private final byte[] prefix;
    private final byte[] publishPrefix;
    private final byte[] publishSuffix;
    private final Listener listener;
    private final Runnable onLost;
    private boolean stopsReading;
    private final CompletableFuture<BenchClient> handshake = new CompletableFuture<>();
    private Channel channel;
    private LoopStats stats;
    /** The status code of the close frame the server sent, or 0 before one arrived. */
    private volatile int closeCode;

    /** {@code onLost} runs on the loop when an open connection closes. */
    BenchClient(int index, String room, WireProtocol protocol, boolean echoPath, Listener listener, Runnable onLost) {
        this.index = index;
        this.room = room;
        this.protocol = protocol;
        this.prefix = protocol.expectedPrefix(room, echoPath);
        this.publishPrefix = protocol.publishPrefix(room);
        this.publishSuffix = protocol.publishSuffix();
        this.listener = listener;
        this.onLost = onLost;
    }

    int index() {
        return index;
    }

    String room() {
        return room;
    }

    Channel channel() {
        return channel;
    }

    LoopStats stats() {
        return stats;
    }

    /** The status code of the server's close frame, 0 when none came. Any thread. */
    int closeCode() {
        return closeCode;
    }

    /** Marks a client that will stop reading once open; call before it connects. */
    BenchClient stopReadingOnceOpen() {
        stopsReading = true;
        return this;
    }

    boolean stopsReading() {
        return stopsReading;
    }

    /** Completes with this client once the WebSocket is open, or exceptionally when it cannot be. */
    CompletableFuture<BenchClient> handshake() {
        return handshake;
    }

    /** Attaches the client to its channel before it connects. */
    void attach(Channel channel, LoopStats stats) {
        this.channel = channel;
        this.stats = stats;
    }

    /** Writes a publish of a {@code bytes}-byte payload carrying {@code sentNanos}, without flushing. On the loop. */
    void send(long sentNanos, int bytes) {
        channel.write(publishFrame(sentNanos, bytes), channel.voidPromise());
    }

    /** Writes a publish of a {@code bytes}-byte payload carrying {@code sentNanos} and flushes. On the loop. */
    void sendNow(long sentNanos, int bytes) {
        channel.writeAndFlush(publishFrame(sentNanos, bytes), channel.voidPromise());
    }

    private TextWebSocketFrame publishFrame(long sentNanos, int bytes) {
        ByteBuf text = channel.alloc().buffer(publishPrefix.length + bytes + publishSuffix.length);
        text.writeBytes(publishPrefix);
        Payload.write(text, sentNanos, bytes);
        text.writeBytes(publishSuffix);
        return new TextWebSocketFrame(text);
    }

    void flush() {
        channel.flush();
    }

    void close() {
        channel.close();
    }

    /** Fails the handshake when the TCP connection could not be made. */
    void connectFailed(Throwable cause) {
        handshake.completeExceptionally(cause);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            String join = protocol.joinFrame(room);
            if (join != null) {
                ctx.writeAndFlush(new TextWebSocketFrame(join));
            }
            if (stopsReading) {
                ctx.channel().config().setAutoRead(false);
            }
            handshake.complete(this);
        } else if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            handshake.completeExceptionally(new IllegalStateException("handshake timed out"));
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof CloseWebSocketFrame close) {
                closeCode = close.statusCode();
                ctx.close();
            } else if (msg instanceof TextWebSocketFrame text) {
                long now = System.nanoTime();
                ByteBuf content = text.content();
                int mark = protocol.payloadIndex(content, prefix);
                if (mark >= 0) {
                    listener.onMessage(this, Payload.sentNanos(content, mark), now);
                } else {
                    stats.unexpected++;
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (handshake.isDone() && !handshake.isCompletedExceptionally()) {
            onLost.run();
        }
        handshake.completeExceptionally(new IllegalStateException("connection closed before the handshake finished"));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        handshake.completeExceptionally(cause);
        ctx.close();
    }
}
