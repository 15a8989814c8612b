package dev.roomcast.server.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI 3.1 document of the HTTP API, served at {@value #PATH}: the resource {@code api/openapi.json},
 * read once. OpenApiIT checks it against the routes that exist.
 *
 * <p>Threading: immutable.
 */
public final class OpenApiDocument {

    public static final String PATH = "/v1/openapi.json";

    private final byte[] body;

    public OpenApiDocument() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream("/api/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("api/openapi.json is missing from the jar");
            }
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document's bytes; the caller must not change them. */
    public byte[] body() {
        return body;
    }
}
