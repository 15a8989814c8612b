package dev.roomcast.server;

import dev.roomcast.config.Network;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket transport of the event loops, picked once at start from {@code --transport}: its I/O handler and
 * its server channel type. {@code auto} is epoll where the machine offers it, else NIO; io_uring is chosen by name
 * only (docs/operations.md, "Socket transport", says why). A transport asked for by name that this machine
 * lacks (io_uring off or filtered, not Linux) falls back to epoll, else NIO, with a warning. Immutable.
 */
record Transports(Network.Transport transport, IoHandlerFactory io, Class<? extends ServerChannel> serverChannel) {

    private static final Logger log = LoggerFactory.getLogger(Transports.class);

    /** The transport {@code wanted} names, or the best one available below it. */
    static Transports of(Network.Transport wanted) {
        boolean auto = wanted == Network.Transport.AUTO;
        Network.Transport chosen = auto ? Network.Transport.EPOLL : wanted;
        if (chosen == Network.Transport.IO_URING && !IoUring.isAvailable()) {
            if (!auto) {
                log.warn("io_uring is not available ({}); using epoll", IoUring.unavailabilityCause().toString());
            }
            chosen = Network.Transport.EPOLL;
        }
        if (chosen == Network.Transport.EPOLL && !Epoll.isAvailable()) {
            if (!auto) {
                log.warn("epoll is not available ({}); using NIO", Epoll.unavailabilityCause().toString());
            }
            chosen = Network.Transport.NIO;
        }
        return switch (chosen) {
            case IO_URING -> new Transports(chosen, IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class);
            case EPOLL -> new Transports(chosen, EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
            default -> new Transports(Network.Transport.NIO, NioIoHandler.newFactory(), NioServerSocketChannel.class);
        };
    }

    /** The transport's name as the start-up line and the docs write it. */
    String label() {
        return switch (transport) {
            case IO_URING -> "io_uring";
            case EPOLL -> "epoll";
            default -> "NIO";
        };
    }
}
