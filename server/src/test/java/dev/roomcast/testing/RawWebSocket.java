package dev.roomcast.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket, for tests that must send what no well-behaved client
 * would: hand-built frames, bad masks, invalid UTF-8, half handshakes. Reads server frames one
 * at a time. Single-threaded.
 */
public final class RawWebSocket implements AutoCloseable {

    /** One frame as the server sent it; {@code rsv} holds its three reserved bits (4 is RSV1, permessage-deflate). */
    public record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, or 1005 when it carries none. */
        public int closeCode() {
            return payload.length >= 2 ? (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF) : 1005;
        }

        /** The reason phrase of a close frame; "" when it carries none. */
        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CONTINUATION = 0x0;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final String statusLine;
    /** The whole head of the server's answer to the upgrade, status line and headers. */
    private final String head;

    private RawWebSocket(Socket socket, String head) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
        this.head = head;
        this.statusLine = head.lines().findFirst().orElse("").trim();
    }

    /** Opens a socket and performs a correct upgrade to {@code path}; fails unless the server answers 101. */
    public static RawWebSocket connect(int port, String path) throws IOException {
        RawWebSocket ws = handshake(port, path, "");
        if (!ws.statusLine.contains(" 101 ")) {
            ws.close();
            throw new AssertionError("upgrade refused: " + ws.statusLine);
        }
        return ws;
    }

    /**
     * Sends an upgrade request with {@code extraHeaders} (each ending in CRLF) and returns the
     * connection whatever the server answered; {@link #statusLine()} tells what that was.
     */
    public static RawWebSocket handshake(int port, String path, String extraHeaders) throws IOException {
        return handshake(port, path, extraHeaders, "");
    }

    /**
     * Sends an upgrade request with {@code extraHeaders} (each ending in CRLF) followed by {@code body} (sent
     * verbatim; the headers must announce it) and returns the connection whatever the server answered.
     */
    public static RawWebSocket handshake(int port, String path, String extraHeaders, String body) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + RawHttp.upgradeHeaders()
                + extraHeaders
                + "\r\n"
                + body;
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        return new RawWebSocket(socket, readHead(socket.getInputStream()));
    }

    /** The value of the header {@code name} in the server's answer to the upgrade, or null. */
    public String responseHeader(String name) {
        return head.lines().skip(1).filter(line -> line.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                .map(line -> line.substring(name.length() + 1).trim()).findFirst().orElse(null);
    }

    /** The HTTP status line the server answered the upgrade with. */
    public String statusLine() {
        return statusLine;
    }

    public Socket socket() {
        return socket;
    }

    /** Sends one masked frame (as a client must). */
    public RawWebSocket sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        return sendFrame(fin, 0, opcode, payload, true);
    }

    /** Sends one frame with full control over the reserved bits and masking. */
    public RawWebSocket sendFrame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | (rsv & 0x7) << 4 | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length <= 125) {
            frame.write(maskBit | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.write(maskBit | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        byte[] body = payload.clone();
        if (masked) {
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            frame.write(mask);
            for (int i = 0; i < body.length; i++) {
                body[i] ^= mask[i % 4];
            }
        }
        frame.write(body);
        out.write(frame.toByteArray());
        out.flush();
        return this;
    }

    /**
     * Sends the header of a masked frame announcing {@code length} payload bytes, and of the payload
     * only {@code firstBytes}: the first chop of a frame that a slow client is still sending.
     */
    public RawWebSocket sendFrameStart(boolean fin, int opcode, int length, byte[] firstBytes) throws IOException {
        if (length < 126 || length > 0xFFFF) {
            throw new IllegalArgumentException("a length of 126 to 65535 bytes, written in two bytes");
        }
        ByteArrayOutputStream start = new ByteArrayOutputStream();
        start.write((fin ? 0x80 : 0) | opcode);
        start.write(0x80 | 126);
        start.write(length >>> 8);
        start.write(length & 0xFF);
        start.write(new byte[4]); // a zero mask key leaves the payload as it is
        start.write(firstBytes);
        out.write(start.toByteArray());
        out.flush();
        return this;
    }

    public RawWebSocket sendText(String text) throws IOException {
        return sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads the next frame from the server. */
    public Frame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        if ((b1 & 0x80) != 0) {
            throw new AssertionError("server frames must not be masked");
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        return new Frame((b0 & 0x80) != 0, b0 >> 4 & 0x7, b0 & 0x0F, payload);
    }

    /** Reads frames until a close frame and returns its code; 1006 if the socket ends without one. */
    public int awaitCloseCode() throws IOException {
        return awaitClose().code();
    }

    /**
     * Reads frames until a close frame and returns its code and reason; code 1006 with the error as
     * the reason if the socket ends (or is reset) without one.
     */
    public WsClient.Closed awaitClose() throws IOException {
        try {
            while (true) {
                Frame frame = readFrame();
                if (frame.opcode() == CLOSE) {
                    return new WsClient.Closed(frame.closeCode(), frame.closeReason());
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            return new WsClient.Closed(1006, e.toString());
        }
    }

    /** Whether the server has closed the TCP connection, waiting up to the socket timeout. */
    public boolean serverClosed() throws IOException {
        try {
            while (in.read() >= 0) {
                // skip whatever is still buffered
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int previous = -1;
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (c == '\n' && previous == '\r' && head.toString().endsWith("\r\n\r\n")) {
                break;
            }
            previous = c;
        }
        return head.toString();
    }
}
