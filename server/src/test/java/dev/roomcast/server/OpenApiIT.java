package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.server.api.AdminAccess;
import dev.roomcast.server.api.OpenApiDocument;
import dev.roomcast.server.api.RoomsApi;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /v1/openapi.json} against the routes that exist: it is served, is OpenAPI 3.1, lists exactly the
 * HTTP API's route table plus the fixed routes of the router, and a live server answers every operation it
 * lists with something other than the router's "no such path" or "method not allowed".
 */
@Timeout(60)
class OpenApiIT {

    private static final String KEY = "openapi-key";
    /** The routes HttpRouter answers itself rather than through RoomsApi's table. */
    private static final List<String> ROUTER_ROUTES = List.of("GET /healthz", "GET /readyz", "GET /metrics",
            "GET " + OpenApiDocument.PATH, "GET /v1/stats");

    @Test
    void theDocumentListsExactlyTheRoutesThatExistAndEachIsAnswered() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (TestServer server = TestServer.start(b -> b.apiKey(KEY))) {
            HttpResponse<String> served = http.send(HttpRequest.newBuilder(server.http(OpenApiDocument.PATH)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(served.headers().firstValue("content-type")).hasValue("application/json");
            JsonNode document = JsonWs.JSON.readTree(served.body());
            assertThat(document.get("openapi").asText()).isEqualTo("3.1.0");

            TreeSet<String> documented = new TreeSet<>();
            for (Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields(); paths.hasNext(); ) {
                Map.Entry<String, JsonNode> path = paths.next();
                path.getValue().fieldNames().forEachRemaining(method ->
                        documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey()));
            }
            RoomcastConfig config = RoomcastConfig.builder().apiKey(KEY).build();
            TreeSet<String> existing = new TreeSet<>(ROUTER_ROUTES);
            new RoomsApi(server.node().hub(), config, new AdminAccess(config)).routeTable()
                    .forEach(route -> existing.add(route.getKey() + " " + route.getValue()));
            assertThat(documented).isEqualTo(existing);

            List<String> unanswered = new ArrayList<>();
            for (String operation : documented) {
                String method = operation.substring(0, operation.indexOf(' '));
                String path = operation.substring(method.length() + 1).replace("{room}", "openapi-room")
                        .replace("{user}", "openapi-user");
                HttpRequest.Builder request = HttpRequest.newBuilder(server.http(path)).header("Authorization", "Bearer " + KEY)
                        .header("Content-Type", "application/json")
                        .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString("{}"));
                HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 405 || answer.statusCode() == 404 && !answer.body().contains("no_such_user")) {
                    unanswered.add(operation + " -> " + answer.statusCode() + " " + answer.body());
                }
            }
            assertThat(unanswered).isEmpty();
        }
    }
}
