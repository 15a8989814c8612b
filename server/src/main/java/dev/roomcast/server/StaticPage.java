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
        assets = Map.of(
                "/", load("index.html", HTML),
                "/index.html", load("index.html", HTML),
                "/style.css", load("style.css", CSS),
                "/chat.html", load("chat.html", HTML),
                "/roomcast.js", load("roomcast.js", JAVASCRIPT),
                "/roomcast.mjs", load("roomcast.mjs", JAVASCRIPT),
                // Declarations are read by editors and the TypeScript compiler, never run by a browser.
                "/roomcast.d.ts", load("roomcast.d.ts", "text/plain; charset=utf-8"));
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
