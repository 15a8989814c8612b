package dev.roomcast.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The chat page and its assets, read once from the jar's {@code web/} folder. Immutable.
 */
final class StaticPage {

    /** One file to serve: its bytes and content type. */
    record Asset(byte[] body, String contentType) {
    }

    private final Map<String, Asset> assets;

    StaticPage() {
        assets = Map.of(
                "/", load("index.html", "text/html; charset=utf-8"),
                "/index.html", load("index.html", "text/html; charset=utf-8"),
                "/style.css", load("style.css", "text/css; charset=utf-8"),
                "/roomcast.js", load("roomcast.js", "text/javascript; charset=utf-8"),
                "/chat.html", load("chat.html", "text/html; charset=utf-8"));
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
