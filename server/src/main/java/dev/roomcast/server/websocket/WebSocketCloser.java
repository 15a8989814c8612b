package dev.roomcast.server.websocket;

import dev.roomcast.hub.CloseReason;
import dev.roomcast.metrics.ServerMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The one way a WebSocket is closed, whoever decides it (a protocol error, a limit, a slow consumer,
 * an expired token, a drain, the client): the Close frame goes out first, behind what is queued;
 * from then on the connection reads no application data and waits a short while for the client's
 * Close; then the TCP connection closes. Closing this way, rather than at once, keeps the kernel
 * from answering a client that is still writing with a reset that would destroy the Close frame
 * before the client reads it. Every close is counted by reason and logged once, at debug; a close
 * this server decides also goes into the periodic INFO summary by code ({@link AggregatedLog}),
 * except a drain's 1001, which has its own line.
 *
 * <p>Threading: thread-safe; the work runs on the channel's event loop.
 */
public final class WebSocketCloser {

    private static final Logger log = LoggerFactory.getLogger(WebSocketCloser.class);
    private static final AggregatedLog unexpected = new AggregatedLog(log, Level.WARN, AggregatedLog.INTERVAL);

    /** How long a closing socket may take to take its Close frame before it is cut. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(10);
    /** How Netty's zlib decoder says it reached its output limit (ZlibDecoder.prepareDecompressBuffer). */
    private static final String DECOMPRESSION_LIMIT = "reached maximum size";
    /**
     * The same for a slow consumer, whose Close frame waits behind everything it did not read: a client
     * that resumes reading within this still learns why it was closed. It holds at most its outbound
     * bound meanwhile.
     */
    static final Duration SLOW_CONSUMER_GRACE = Duration.ofSeconds(60);
    /** How long, once the Close frame is written, the client's Close is awaited (its data read and dropped). */
    static final Duration DRAIN = Duration.ofSeconds(2);

    /** The name of the handler that marks a closing WebSocket; it sits right behind Netty's frame decoder. */
    private static final String CLOSING = "ws-closing";

    private final ServerMetrics metrics;
    private final AggregatedLog notices;

    public WebSocketCloser(ServerMetrics metrics, AggregatedLog notices) {
        this.metrics = metrics;
        this.notices = notices;
    }

    /** Closes with {@code reason}; nothing happens if the WebSocket is closing already. Any thread. */
    void close(Channel channel, CloseReason reason) {
        close(channel, reason, reason.text());
    }

    /** Closes with {@code reason}'s code and {@code phrase} for its text; see {@link #close(Channel, CloseReason)}. */
    void close(Channel channel, CloseReason reason, String phrase) {
        if (!channel.eventLoop().inEventLoop()) {
            try {
                channel.eventLoop().execute(() -> close(channel, reason, phrase));
            } catch (RejectedExecutionException stopped) {
                // The loop has stopped: its sockets are closed already.
            }
            return;
        }
        closeOnLoop(channel, reason, new CloseWebSocketFrame(reason.code(), phrase), false);
    }

    /**
     * The client's Close frame arrived while the WebSocket was open. This is the one rule for its
     * body: empty, or a code a peer may send ({@link #mayBeSent}) and a UTF-8 reason, and it is echoed
     * (RFC 6455 section 5.5.1); a code that may not be sent, or a 1-byte body, is answered with 1002,
     * a reason that is not UTF-8 with 1007. The TCP connection closes once the answer is written.
     * On the loop; takes ownership of {@code frame}.
     */
    void peerClosed(Channel channel, CloseWebSocketFrame frame) {
        ByteBuf body = frame.content();
        int length = body.readableBytes();
        CloseReason refusal = null;
        if (length == 1 || length > 1 && !mayBeSent(frame.statusCode())) {
            refusal = CloseReason.PROTOCOL_ERROR;
        } else if (length > 2 && !ByteBufUtil.isText(body, body.readerIndex() + 2, length - 2, StandardCharsets.UTF_8)) {
            refusal = CloseReason.INVALID_PAYLOAD;
        }
        if (refusal == null) {
            closeOnLoop(channel, CloseReason.NORMAL, frame, true);
        } else {
            frame.release();
            closeOnLoop(channel, refusal, new CloseWebSocketFrame(refusal.code(), refusal.text()), true);
        }
    }

    /**
     * The close code for a WebSocket after an exception, or null when the socket is simply cut (the
     * client went away). Everything a client can cause is logged at debug; anything else is a bug,
     * logged at warn (rate-limited, since a client may be able to repeat it), never shown to the client.
     *
     * <p>An error of Netty's frame decoder leaves it unable to find another frame: it would only read
     * the rest one byte per call. It is taken out here, so that the closing connection drops what the
     * client still sends as plain bytes (and learns of the client's end from the TCP connection).
     */
    CloseReason reasonAfter(Channel channel, Throwable cause) {
        if (cause instanceof Utf8StreamValidator.NotUtf8Exception) {
            log.debug("{}: {}", channel.remoteAddress(), cause.getMessage());
            return CloseReason.INVALID_PAYLOAD;
        }
        if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            log.debug("{}: {}", channel.remoteAddress(), cause.getMessage());
            if (channel.pipeline().get(WebSocketFrameDecoder.class) != null) {
                channel.pipeline().remove(WebSocketFrameDecoder.class);
            }
            return reasonFor(corrupted.closeStatus());
        }
        if (cause instanceof DecompressionException) {
            // Netty's permessage-deflate decoder stops at --max-message-bytes (a decompression bomb) with this
            // exception, and fails a stream that is not deflate with it too.
            log.debug("{}: {}", channel.remoteAddress(), cause.getMessage());
            return cause.getMessage() != null && cause.getMessage().contains(DECOMPRESSION_LIMIT)
                    ? CloseReason.MESSAGE_TOO_BIG : CloseReason.INVALID_PAYLOAD;
        }
        if (cause instanceof TooLongFrameException) {
            log.debug("{}: {}", channel.remoteAddress(), cause.getMessage());
            return CloseReason.MESSAGE_TOO_BIG;
        }
        if (cause instanceof CorruptedFrameException) {
            log.debug("{}: {}", channel.remoteAddress(), cause.getMessage());
            return CloseReason.PROTOCOL_ERROR;
        }
        if (cause instanceof PrematureChannelClosureException || cause instanceof IOException) {
            // The cause fills a placeholder, so it is only rendered when debug is on: a mass disconnect
            // brings thousands of these at once.
            log.debug("{}: {}", channel.remoteAddress(), cause);
            return null;
        }
        unexpected.log(channel.remoteAddress(), "closing after unexpected error", cause);
        return CloseReason.INTERNAL_ERROR;
    }

    /**
     * Who closed {@code channel}'s WebSocket and with what code, for its session's last log line:
     * {@code 1000 by the client}, {@code 1013 slow consumer by the server}, or that it dropped. On the loop,
     * until the channel is unregistered.
     */
    String howClosed(Channel channel) {
        return channel.pipeline().get(CLOSING) instanceof ClosingHandshake closing ? closing.how
                : "the connection dropped without a close frame";
    }

    /**
     * Whether a peer may send {@code code} in a Close frame (RFC 6455 section 7.4): the defined codes
     * meant to be sent, and 3000–4999 for libraries and applications. Not 1004–1006 and 1015 (reserved,
     * or meaning "no code"), not the unassigned rest of 1000–2999, nothing outside 1000–4999.
     */
    static boolean mayBeSent(int code) {
        return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
    }

    private static CloseReason reasonFor(WebSocketCloseStatus status) {
        if (status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
            return CloseReason.MESSAGE_TOO_BIG;
        }
        if (status.code() == WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code()) {
            return CloseReason.INVALID_PAYLOAD;
        }
        return CloseReason.PROTOCOL_ERROR;
    }

    private void closeOnLoop(Channel channel, CloseReason reason, CloseWebSocketFrame frame, boolean peerClosed) {
        ChannelPipeline pipeline = channel.pipeline();
        if (!channel.isActive() || pipeline.get(CLOSING) != null) {
            frame.release();
            return;
        }
        metrics.webSocketClosed(reason);
        log.debug("{}: closing with {} {}", channel.remoteAddress(), reason.code(), reason.text());
        boolean byClient = peerClosed && reason == CloseReason.NORMAL;
        if (!byClient && reason != CloseReason.GOING_AWAY) {
            notices.count("connections closed with " + reason.code() + " " + reason.text());
        }
        ChannelHandlerContext encoder = pipeline.context(WebSocketFrameEncoder.class);
        if (encoder == null || pipeline.get(HttpServerCodec.class) != null) {
            // The handshake response is not written yet: there is no WebSocket to send a Close frame on.
            frame.release();
            channel.close();
            return;
        }
        String how = byClient ? (frame.statusCode() < 0 ? "no code" : frame.statusCode()) + " by the client"
                : reason.code() + " " + reason.text() + " by the server";
        ClosingHandshake closing = new ClosingHandshake(peerClosed,
                reason == CloseReason.SLOW_CONSUMER ? SLOW_CONSUMER_GRACE : CLOSE_GRACE, how);
        // Behind the frame decoder, to see the client's Close frame; behind the encoder (taking raw
        // bytes) when the decoder was taken out after an error.
        ChannelHandlerContext decoder = pipeline.context(WebSocketFrameDecoder.class);
        pipeline.addAfter((decoder != null ? decoder : encoder).name(), CLOSING, closing);
        channel.writeAndFlush(frame).addListener((ChannelFutureListener) closing::frameWritten);
    }

    /**
     * A closing WebSocket's inbound side: takes every frame and error the decoder still produces and
     * drops it, closes the connection when the client's Close arrives after ours was written, and
     * cuts it when the client takes too long. One per closing connection, confined to its event loop.
     */
    private static final class ClosingHandshake extends ChannelInboundHandlerAdapter {

        private final Duration writeGrace;
        /** Who closed, with what code: {@link #howClosed}. */
        private final String how;
        private boolean peerClosed;
        private boolean frameWritten;
        private ChannelHandlerContext ctx;
        private ScheduledFuture<?> cut;

        ClosingHandshake(boolean peerClosed, Duration writeGrace, String how) {
            this.peerClosed = peerClosed;
            this.writeGrace = writeGrace;
            this.how = how;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            // Nothing the client sends is used any more, so nothing needs checking.
            if (ctx.pipeline().get(Utf8StreamValidator.class) != null) {
                ctx.pipeline().remove(Utf8StreamValidator.class);
            }
            cutAfter(writeGrace);
        }

        void frameWritten(ChannelFuture write) {
            frameWritten = true;
            if (!write.isSuccess() || peerClosed) {
                ctx.close();
            } else {
                cutAfter(DRAIN);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean close = msg instanceof CloseWebSocketFrame;
            ReferenceCountUtil.release(msg);
            if (close) {
                peerClosed = true;
                if (frameWritten) {
                    ctx.close();
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Whatever else the client sends is no longer read; a decoder error about it changes nothing.
            log.debug("{}: while closing: {}", ctx.channel().remoteAddress(), cause.toString());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cut.cancel(false);
            ctx.fireChannelInactive();
        }

        private void cutAfter(Duration delay) {
            if (cut != null) {
                cut.cancel(false);
            }
            cut = ctx.executor().schedule((Runnable) () -> ctx.channel().close(), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
