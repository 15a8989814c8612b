package dev.roomcast.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The chat pages, their assets and roomcast.js (script, ES module and declarations), read once
 * from the jar's {@code web/} folder.
 *
 * <p>Threading: immutable, shared by every connection.
 */
final class StaticPage {

    /** One file to serve: its bytes and content type. */
    record Asset(byte[] body, String contentType) {
    }

    private static final String HTML = "text/html; charset=utf-8";
    private static final String CSS = "text/css; charset=utf-8";
    private static final String JAVASCRIPT = "text/javascript; charset=utf-8";

    private final Map<String, Asset> assets;

    StaticPage() {
        Asset chat = load("chat.html", HTML);
        assets = Map.ofEntries(
                Map.entry("/", load("index.html", HTML)),
                Map.entry("/index.html", load("index.html", HTML)),
                Map.entry("/style.css", load("style.css", CSS)),
                Map.entry("/chat", chat),
                Map.entry("/chat.html", chat),
                Map.entry("/chat.css", load("chat.css", CSS)),
                Map.entry("/chat.js", load("chat.js", JAVASCRIPT)),
                Map.entry("/favicon.svg", load("favicon.svg", "image/svg+xml")),
                Map.entry("/roomcast.js", load("roomcast.js", JAVASCRIPT)),
                Map.entry("/roomcast.mjs", load("roomcast.mjs", JAVASCRIPT)),
                // Declarations are read by editors and the TypeScript compiler, never run by a browser.
                Map.entry("/roomcast.d.ts", load("roomcast.d.ts", "text/plain; charset=utf-8")));
    }

    /** The asset at this path, or null. */
    Asset find(String path) {
        return assets.get(path);
    }

    private static Asset load(String file, String contentType) {
        try (InputStream in = StaticPage.class.getResourceAsStream("/web/" + file)) {
            if (in == null) {
                throw new IllegalStateException("web/" + file + " is missing from the jar");
            }
            return new Asset(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
