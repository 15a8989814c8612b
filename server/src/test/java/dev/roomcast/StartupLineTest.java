package dev.roomcast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.config.Observability.LogFormat;
import dev.roomcast.config.RoomcastConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupLineTest {

    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 27001);

    @Test
    void defaultsChangeNothing() {
        assertThat(StartupLine.changedSettings(RoomcastConfig.defaults())).isEqualTo("none");
        assertThat(StartupLine.of(RoomcastConfig.defaults(), ADDRESS, "epoll"))
                .contains("serving http://127.0.0.1:27001/", "TLS off", "broker memory", "auth none",
                        "HTTP API key unset", "admin page off", "changed settings none", "; epoll; Java ");
    }

    @Test
    void everyChangedSettingOfEveryGroupIsListedInDeclarationOrder() {
        RoomcastConfig config = RoomcastConfig.builder()
                .maxMissedPongs(5)                        // network
                .drainTimeout(Duration.ofSeconds(5))      // network
                .maxConnections(900)                      // limits
                .historySize(7)                           // history
                .redisPrefix("test:")                     // cluster
                .logFormat(LogFormat.JSON)                // observability
                .build();
        assertThat(StartupLine.changedSettings(config))
                .isEqualTo("maxMissedPongs=5 drainTimeout=PT5S maxConnections=900 historySize=7 redisPrefix=test: logFormat=JSON");
    }

    @Test
    void secretsAreNeverShownAndStatedSettingsAreNotRepeated() {
        RoomcastConfig config = RoomcastConfig.builder()
                .apiKey("k3y-in-no-log")
                .adminPassword("pa55-in-no-log")
                .jwtSecret("s3cret-in-no-log-s3cret-in-no-log-0123")
                .allowedOrigins(List.of("https://app.example.com"))
                .build();
        String line = StartupLine.of(config, ADDRESS, "nio");
        assertThat(line).doesNotContain("k3y-in-no-log", "pa55-in-no-log", "s3cret-in-no-log")
                .contains("auth JWT HS256", "HTTP API key set", "admin page password", "origins https://app.example.com",
                        "changed settings none");
    }
}
