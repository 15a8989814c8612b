package dev.roomcast.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Many WebSocket clients on plain NIO sockets, read by one selector thread, for tests that need
 * hundreds of clients without hundreds of threads: the slow-consumer case and the soak. Each
 * incoming data or close frame is parsed and handed to a {@link FrameSink} with its payload length
 * and the first bytes of its payload (enough to tell messages apart without copying big payloads).
 * Server pings are answered with pongs, as browsers do, and not handed on. Sends may come from any
 * thread; one client's frames never interleave. Close it to stop the reader and close every socket.
 */
public final class ClientSwarm implements AutoCloseable {

    private static final int PING = 0x9;

    /** How many leading payload bytes a sink sees (and the most a ping may carry: 125 fit). */
    public static final int PREFIX_BYTES = 128;

    /** Receives every server frame; called on the swarm's reader thread. */
    @FunctionalInterface
    public interface FrameSink {
        /**
         * @param client  the client's index, in connection order
         * @param opcode  the frame's opcode (1 text, 8 close, 9 ping, ...)
         * @param length  the payload length
         * @param prefix  the first {@code min(length, PREFIX_BYTES)} payload bytes; valid during the call only
         */
        void frame(int client, int opcode, long length, byte[] prefix, int prefixLength);
    }

    /** Where one client's parser is within the byte stream. Reader thread only. */
    private static final class Parser {
        final byte[] header = new byte[10];
        int headerRead;
        int headerNeeded = 2;
        int opcode;
        long remaining = -1;
        long length;
        final byte[] prefix = new byte[PREFIX_BYTES];
        int prefixRead;
    }

    private final List<SocketChannel> channels = new ArrayList<>();
    private final List<Parser> parsers = new ArrayList<>();
    private final Selector selector;
    private final FrameSink sink;
    private final Thread reader;
    private volatile boolean running = true;

    private ClientSwarm(int port, List<String> paths, FrameSink sink) throws IOException {
        this.selector = Selector.open();
        this.sink = sink;
        for (String path : paths) {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            handshake(channel, port, path);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, channels.size());
            channels.add(channel);
            parsers.add(new Parser());
        }
        this.reader = new Thread(this::readLoop, "client-swarm-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens one connection per path (each a correct upgrade) and starts reading. */
    public static ClientSwarm connect(int port, List<String> paths, FrameSink sink) throws IOException {
        return new ClientSwarm(port, paths, sink);
    }

    public int size() {
        return channels.size();
    }

    /** Sends one masked text frame from {@code client}. From one sending thread at a time. */
    public void sendText(int client, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length > 125) {
            throw new IllegalArgumentException("keep swarm messages under 126 bytes");
        }
        ByteBuffer frame = ByteBuffer.allocate(6 + payload.length);
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.put((byte) 0x81).put((byte) (0x80 | payload.length)).put(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.put((byte) (payload[i] ^ mask[i % 4]));
        }
        frame.flip();
        write(client, frame);
    }

    /** Writes a whole frame; a lock per client keeps a pong from landing inside a half-written message. */
    private void write(int client, ByteBuffer frame) throws IOException {
        SocketChannel channel = channels.get(client);
        synchronized (channel) {
            while (frame.hasRemaining()) {
                if (channel.write(frame) == 0) {
                    Thread.onSpinWait();
                }
            }
        }
    }

    /** Answers a ping with a masked pong carrying the same (short) payload. */
    private void pong(int client, byte[] payload, int length) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(6 + length);
        frame.put((byte) 0x8A).put((byte) (0x80 | length)).putInt(0);
        frame.put(payload, 0, length).flip();
        write(client, frame);
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SocketChannel channel : channels) {
            channel.close();
        }
        selector.close();
    }

    private static void handshake(SocketChannel channel, int port, String path) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        while (out.hasRemaining()) {
            channel.write(out);
        }
        // Byte by byte, so that nothing after the response head is consumed here.
        StringBuilder head = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            one.clear();
            if (channel.read(one) < 0) {
                throw new IOException("closed during the handshake: " + head);
            }
            head.append((char) one.get(0));
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + head.toString().lines().findFirst().orElse(""));
        }
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        try {
            while (running) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    int client = (Integer) key.attachment();
                    SocketChannel channel = (SocketChannel) key.channel();
                    buffer.clear();
                    int read;
                    try {
                        read = channel.read(buffer);
                    } catch (IOException reset) {
                        read = -1;
                    }
                    if (read < 0) {
                        key.cancel();
                        continue;
                    }
                    buffer.flip();
                    try {
                        parse(client, parsers.get(client), buffer);
                    } catch (IOException pongFailed) {
                        key.cancel(); // the server closed this one while we answered its ping
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                throw new IllegalStateException("swarm reader failed", e);
            }
        }
    }

    private void parse(int client, Parser p, ByteBuffer in) throws IOException {
        while (in.hasRemaining()) {
            if (p.remaining < 0) {
                p.header[p.headerRead++] = in.get();
                if (p.headerRead == 2) {
                    int len = p.header[1] & 0x7F;
                    p.headerNeeded = len == 126 ? 4 : len == 127 ? 10 : 2;
                }
                if (p.headerRead < p.headerNeeded) {
                    continue;
                }
                p.opcode = p.header[0] & 0x0F;
                int len = p.header[1] & 0x7F;
                if (len == 126) {
                    p.length = (p.header[2] & 0xFF) << 8 | (p.header[3] & 0xFF);
                } else if (len == 127) {
                    long l = 0;
                    for (int i = 2; i < 10; i++) {
                        l = l << 8 | (p.header[i] & 0xFF);
                    }
                    p.length = l;
                } else {
                    p.length = len;
                }
                p.remaining = p.length;
                p.headerRead = 0;
                p.headerNeeded = 2;
                p.prefixRead = 0;
            }
            int take = (int) Math.min(p.remaining, in.remaining());
            int toPrefix = Math.min(take, PREFIX_BYTES - p.prefixRead);
            if (toPrefix > 0) {
                in.get(p.prefix, p.prefixRead, toPrefix);
                p.prefixRead += toPrefix;
            }
            in.position(in.position() + take - toPrefix);
            p.remaining -= take;
            if (p.remaining == 0) {
                if (p.opcode == PING) {
                    pong(client, p.prefix, p.prefixRead);
                } else {
                    sink.frame(client, p.opcode, p.length, p.prefix, p.prefixRead);
                }
                p.remaining = -1;
            }
        }
    }
}
