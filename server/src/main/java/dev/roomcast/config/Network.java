package dev.roomcast.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and how the node listens: address, event loops, TLS, the proxy header, WebSocket compression,
 * and the timers of a connection's life (handshake, heartbeats, drain).
 *
 * <p>Threading: immutable.
 */
public record Network(
        @Setting(flag = "--host", defaultValue = "127.0.0.1",
                help = "Address to listen on; 0.0.0.0 for every interface.")
        String host,
        @Setting(flag = "--port", defaultValue = "8000", min = "0", max = "65535",
                help = "Port to listen on; 0 picks a free one.")
        int port,
        @Setting(flag = "--io-threads", defaultValue = "0", min = "0", max = "1024",
                help = "Event loop threads serving connections; 0 means one per core.")
        int ioThreads,
        @Setting(flag = "--transport", defaultValue = "auto",
                help = "Socket transport of the event loops: 'io_uring', 'epoll' or 'nio'; 'auto' is epoll where the machine"
                        + " offers it, else nio. One it lacks falls back to the next, with a warning.")
        Transport transport,
        @Setting(flag = "--tls-cert",
                help = "PEM certificate chain: the port serves https and wss; unset serves plain http and ws.")
        Path tlsCert,
        @Setting(flag = "--tls-key",
                help = "PEM private key of --tls-cert, unencrypted PKCS#8 (BEGIN PRIVATE KEY).")
        Path tlsKey,
        @Setting(flag = "--client-ip-header",
                help = "Header carrying the client's address behind a reverse proxy, e.g. X-Real-IP; set it only behind"
                        + " a proxy that overwrites it. Unset: the socket's address.")
        String clientIpHeader,
        @Setting(flag = "--compression", defaultValue = "false",
                help = "Offer permessage-deflate (RFC 7692) to WebSocket clients: each room message is compressed once per"
                        + " broadcast and the same bytes go to every member that negotiated it. A namespace's compression"
                        + " key overrides it for its rooms.")
        boolean compression,
        @Setting(flag = "--compression-min-bytes", defaultValue = "256", min = "0", max = "67108864",
                help = "Room messages smaller than this many bytes are sent uncompressed, where deflate saves little.")
        int compressionMinBytes,
        @Setting(flag = "--handshake-timeout", defaultValue = "10s", min = "1ms",
                help = "Time a connection has to send a complete HTTP request or upgrade, from connecting or from the"
                        + " answer to its previous request (the server's own time to answer does not count); also the"
                        + " idle timeout of keep-alive HTTP connections (slowloris guard).")
        Duration handshakeTimeout,
        @Setting(flag = "--ping-interval", defaultValue = "25s", min = "1ms",
                help = "How often the server pings each WebSocket.")
        Duration pingInterval,
        @Setting(flag = "--max-missed-pongs", defaultValue = "2", min = "1", max = "1000",
                help = "Pings in a row a client may leave unanswered before it is closed with 1001 ping timeout.")
        int maxMissedPongs,
        @Setting(flag = "--drain-timeout", defaultValue = "10s",
                help = "On SIGTERM or SIGINT, how long to wait for sockets to close before exiting.")
        Duration drainTimeout) {

    public Network {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new InvalidSetting(tlsCert == null ? "--tls-key" : "--tls-cert",
                    "TLS needs both --tls-cert and --tls-key");
        }
        clientIpHeader = clientIpHeader == null ? null : clientIpHeader.strip();
    }

    /** The socket transport of the event loops; see {@code --transport}. */
    public enum Transport { AUTO, IO_URING, EPOLL, NIO }

    /** Whether the port serves https/wss. */
    public boolean tlsEnabled() {
        return tlsCert != null;
    }
}
