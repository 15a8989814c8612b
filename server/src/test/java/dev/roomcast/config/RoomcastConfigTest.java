package dev.roomcast.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Settings set in code get the defaults and the checks that flags, variables and files get. */
class RoomcastConfigTest {

    @Test
    void theBuilderStartsFromTheDeclaredDefaults() {
        RoomcastConfig config = RoomcastConfig.builder().port(0).build();
        assertThat(config.network().port()).isZero();
        assertThat(config.network().pingInterval()).isEqualTo(Duration.ofSeconds(25));
        assertThat(config.limits().outboundBufferBytes()).isEqualTo(1024 * 1024);
        assertThat(config.history().historyMaxBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(config.auth().enabled()).isFalse();
        assertThat(config.cluster().redisBroker()).isFalse();
        assertThat(config).isEqualTo(RoomcastConfig.builder().port(0).set("--port", 0).build());
    }

    @Test
    void theBuilderRefusesWhatTheCommandLineRefuses() {
        assertThatThrownBy(() -> RoomcastConfig.builder().maxMessageBytes(0).build())
                .isInstanceOf(InvalidSetting.class).hasMessage("--max-message-bytes: must be between 1 and 67108864, got 0");
        assertThatThrownBy(() -> RoomcastConfig.builder().handshakeTimeout(Duration.ZERO).build())
                .hasMessage("--handshake-timeout: must be at least 1ms, got 0");
        assertThatThrownBy(() -> RoomcastConfig.builder().tlsCert(java.nio.file.Path.of("cert.pem")).build())
                .hasMessage("--tls-cert: TLS needs both --tls-cert and --tls-key");
        assertThatThrownBy(() -> RoomcastConfig.builder().broker("memcached://127.0.0.1").build())
                .hasMessage("--broker: must be 'memory', a redis://host:port[/db] URL, a redis-sentinel://host:port[,host:port...]/<master>"
                        + " URL or a redis-cluster://host:port[,host:port...] URL, got memcached://127.0.0.1");
        assertThatThrownBy(() -> RoomcastConfig.builder().broker("redis-sentinel://127.0.0.1:26379/").build())
                .hasMessage("--broker: a redis-sentinel:// URL names the master after the sentinels, as in"
                        + " redis-sentinel://host:26379,host2:26379/mymaster, got redis-sentinel://127.0.0.1:26379/");
        assertThatThrownBy(() -> RoomcastConfig.builder().broker("redis-cluster://127.0.0.1:7000/3").build())
                .hasMessage("--broker: a redis-cluster:// URL lists host:port of one or more of the cluster's nodes and nothing"
                        + " after them (a cluster has only database 0), as in redis-cluster://host1:7000,host2:7001,"
                        + " got redis-cluster://127.0.0.1:7000/3");
        assertThat(RoomcastConfig.builder().broker("redis-cluster://:secret@10.0.0.1:7000,10.0.0.2:7001").build()
                .cluster().redisBroker()).isTrue();
    }

    @Test
    void aValueOfTheWrongTypeOrAnUnknownFlagIsRefusedWhenSet() {
        assertThatThrownBy(() -> RoomcastConfig.builder().set("--port", "80"))
                .hasMessage("--port takes a Integer, not 80");
        assertThatThrownBy(() -> RoomcastConfig.builder().set("--prot", 80))
                .hasMessage("no setting has the flag --prot");
    }
}
