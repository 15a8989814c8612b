package dev.roomcast.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One HTTP/1.1 request on a plain socket, for what {@link java.net.http.HttpClient} refuses to
 * send: malformed percent-encoding, hand-made upgrade headers, missing or wrong WebSocket keys.
 * Single-threaded.
 */
public final class RawHttp {

    /** What the server answered; header names are lower case. */
    public record Response(int status, String statusLine, Map<String, String> headers, String body) {
    }

    private RawHttp() {
    }

    /** The headers of a correct WebSocket upgrade (version 13, a fresh key), each ending in CRLF. */
    public static String upgradeHeaders() {
        return "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + newKey() + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n";
    }

    /** A random 16-byte nonce, base64, as a client sends in Sec-WebSocket-Key. */
    public static String newKey() {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /**
     * Sends {@code method path} with {@code headers} (each ending in CRLF, sent verbatim) and
     * reads the response: its body by Content-Length, or up to the end of the stream.
     */
    public static Response send(int port, String method, String path, String headers) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            String request = method + " " + path + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\n"
                    + headers
                    + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return read(socket.getInputStream());
        }
    }

    /**
     * Reads one response from {@code in}.
     *
     * @throws EOFException when the server closed the connection without answering
     */
    public static Response read(InputStream in) throws IOException {
        String head = readHead(in);
        if (head.isEmpty()) {
            throw new EOFException("the server closed the connection without a response");
        }
        String[] lines = head.split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        String length = headers.get("content-length");
        byte[] body = length != null ? in.readNBytes(Integer.parseInt(length)) : readToEnd(in);
        String statusLine = lines[0];
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new AssertionError("not an HTTP response: '" + statusLine + "'");
        }
        return new Response(Integer.parseInt(parts[1]), statusLine, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int c;
        while (matched < 4 && (c = in.read()) >= 0) {
            head.write(c);
            matched = c == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("response without Content-Length and the connection stayed open", e);
        }
    }
}
