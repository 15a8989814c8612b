package dev.roomcast.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Reads {@code GET /v1/rooms} of a node on loopback, every page. Stateless. */
public final class RoomListing {

    private RoomListing() {
    }

    /**
     * The rooms of {@code wanted} that the node on {@code port} lists, with their members; read two rooms a
     * page, so the cursor is used.
     */
    public static Map<String, Integer> of(int port, Set<String> wanted) throws IOException, InterruptedException {
        Map<String, Integer> listed = new TreeMap<>();
        String cursor = null;
        do {
            URI page = URI.create("http://127.0.0.1:" + port + "/v1/rooms?limit=2"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(page).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            JsonNode json = JsonWs.JSON.readTree(answer.body());
            json.path("rooms").forEach(room -> {
                if (wanted.contains(room.path("room").asText())) {
                    listed.put(room.path("room").asText(), room.path("members").asInt());
                }
            });
            cursor = json.hasNonNull("next") ? json.path("next").asText() : null;
        } while (cursor != null);
        return listed;
    }
}
