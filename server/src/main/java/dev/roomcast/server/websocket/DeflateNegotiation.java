package dev.roomcast.server.websocket;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The permessage-deflate negotiation of RFC 7692 at a WebSocket handshake, by Netty's
 * {@link PerMessageDeflateServerExtensionHandshaker}: the first offer in the client's
 * {@code Sec-WebSocket-Extensions} that it accepts is answered. Offers it cannot honour are declined
 * as the RFC says (one limiting the server's window, {@code server_max_window_bits}, or with unknown
 * parameters), and the answer always carries {@code server_no_context_takeover}, which RFC 7692 section
 * 7.1.1.1 lets a server add unasked: the server compresses each message on its own, so that every
 * member gets the same bytes.
 *
 * <p>Threading: immutable; shared by every connection.
 */
public final class DeflateNegotiation {

    private static final String EXTENSION = "permessage-deflate";
    private static final String SERVER_NO_CONTEXT = "server_no_context_takeover";
    private static final String CLIENT_NO_CONTEXT = "client_no_context_takeover";

    /**
     * What was agreed with one client: the response header's value and the extension whose decoder
     * inflates the client's compressed messages (shared: it depends only on whether the client keeps its context).
     */
    public record Accepted(String responseHeader, WebSocketServerExtension extension) {
    }

    private final PerMessageDeflateServerExtensionHandshaker handshaker;
    /** The two extensions an accepted offer can amount to, made once: with the client's context kept, and without. */
    private final WebSocketServerExtension clientKeepsContext;
    private final WebSocketServerExtension clientResetsContext;

    /** @param maxMessageBytes the most a client's message may inflate to; beyond it the decoder fails (1009) */
    public DeflateNegotiation(int maxMessageBytes) {
        // Level 6 (only for Netty's encoder, which is not used); server_max_window_bits offers declined; the client's
        // window as it likes (up to 15 bits); server_no_context_takeover accepted; the client may keep its context.
        this.handshaker = new PerMessageDeflateServerExtensionHandshaker(6, false, 15, true, false, maxMessageBytes);
        this.clientKeepsContext = handshaker.handshakeExtension(new WebSocketExtensionData(EXTENSION, Map.of()));
        this.clientResetsContext = handshaker.handshakeExtension(
                new WebSocketExtensionData(EXTENSION, Map.of(CLIENT_NO_CONTEXT, "")));
    }

    /** What to answer the handshake's extension offers with, or null when none is accepted. */
    public Accepted negotiate(HttpHeaders request) {
        List<String> offers = request.getAll(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
        if (offers.isEmpty()) {
            return null;
        }
        for (WebSocketExtensionData offer : WebSocketExtensionUtil.extractExtensions(String.join(",", offers))) {
            WebSocketServerExtension accepted = handshaker.handshakeExtension(offer);
            if (accepted != null) {
                WebSocketExtensionData answer = accepted.newReponseData();
                Map<String, String> parameters = new LinkedHashMap<>(answer.parameters());
                parameters.putIfAbsent(SERVER_NO_CONTEXT, null);
                // An offer with client_no_context_takeover says the client compresses each message on its own: its
                // inflater can then be dropped after every message (RFC 7692 section 7.1.1.1).
                return new Accepted(header(answer.name(), parameters),
                        offer.parameters().containsKey(CLIENT_NO_CONTEXT) ? clientResetsContext : clientKeepsContext);
            }
        }
        return null;
    }

    private static String header(String name, Map<String, String> parameters) {
        StringBuilder header = new StringBuilder(name);
        parameters.forEach((key, value) -> {
            header.append("; ").append(key);
            if (value != null && !value.isEmpty()) {
                header.append('=').append(value);
            }
        });
        return header.toString();
    }
}
