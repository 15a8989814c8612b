package dev.roomcast.server.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Builds the HTTP API's JSON responses. Stateless. */
final class ApiResponses {

    private static final JsonFactory JSON = new JsonFactory();

    /** Writes a JSON object's fields. */
    @FunctionalInterface
    interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    private ApiResponses() {
    }

    /** A JSON object response; returns a response the caller takes ownership of. */
    static FullHttpResponse json(HttpResponseStatus status, Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(out.toByteArray()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        return response;
    }

    /** Writes {@code field} as an array of {@code {nameField: key, countField: value}} objects, in the entries' order. */
    static void writeCounts(JsonGenerator json, String field, String nameField, String countField,
                            Iterable<Map.Entry<String, Integer>> counts) throws IOException {
        json.writeArrayFieldStart(field);
        for (Map.Entry<String, Integer> count : counts) {
            json.writeStartObject();
            json.writeStringField(nameField, count.getKey());
            json.writeNumberField(countField, count.getValue());
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    /** {@code {"error": code, "message": sentence}} with the error's status. */
    static FullHttpResponse error(ApiError error, String message) {
        return json(error.status(), json -> {
            json.writeStringField("error", error.code());
            json.writeStringField("message", message);
        });
    }
}
