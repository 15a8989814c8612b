package dev.roomcast;

import dev.roomcast.config.Auth;
import dev.roomcast.config.Network;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.config.SettingSpec;
import dev.roomcast.config.Settings;
import dev.roomcast.metrics.BuildInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one INFO line a node writes when it starts: what an operator must know at a glance (address,
 * TLS, broker, authentication, origins, every setting that differs from its default, JVM and GC),
 * never a secret's value.
 *
 * <p>Threading: stateless.
 */
final class StartupLine {

    private static final RoomcastConfig DEFAULTS = RoomcastConfig.defaults();
    /** Settings the line states in their own words, so they are not repeated among the changed ones. */
    private static final Set<String> STATED = Set.of("--host", "--port", "--tls-cert", "--tls-key", "--broker",
            "--jwt-secret", "--jwt-public-key", "--api-key", "--admin-password", "--allowed-origins");

    private StartupLine() {
    }

    static String of(RoomcastConfig config, InetSocketAddress address, String transport) {
        Network network = config.network();
        Auth auth = config.auth();
        return "Roomcast " + BuildInfo.version() + " serving " + (network.tlsEnabled() ? "https" : "http") + "://"
                + address.getHostString() + ":" + address.getPort() + "/"
                + "; TLS " + (network.tlsEnabled() ? "on (" + network.tlsCert() + ")" : "off")
                + "; broker " + (config.cluster().redisBroker()
                        ? redactedUri(config.cluster().broker()) + " prefix " + config.cluster().redisPrefix() : "memory")
                + "; auth " + auth(auth)
                + "; HTTP API key " + (auth.apiKey() != null ? "set" : "unset")
                + "; admin page " + (auth.adminPassword() != null ? "password" : auth.apiKey() != null ? "API key" : "off")
                + "; origins " + (auth.allowedOrigins().isEmpty() ? "localhost only (default)" : String.join(",", auth.allowedOrigins()))
                + "; changed settings " + changedSettings(config)
                + "; " + transport
                + "; Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
                + ", GC " + ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(" + "))
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB"
                + ", " + Runtime.getRuntime().availableProcessors() + " CPUs";
    }

    private static String auth(Auth auth) {
        if (auth.jwtSecret() != null) {
            return "JWT HS256";
        }
        return auth.jwtPublicKey() != null ? "JWT public key " + auth.jwtPublicKey() : "none (anonymous guests)";
    }

    /**
     * Every setting of every group whose value differs from its default, as name=value in declaration
     * order; a secret ({@code @Setting(secret = true)}) as name=(set).
     */
    static String changedSettings(RoomcastConfig config) {
        List<String> changed = new ArrayList<>();
        for (SettingSpec setting : Settings.all()) {
            Object value = setting.valueIn(config);
            if (STATED.contains(setting.flag()) || Objects.equals(value, setting.valueIn(DEFAULTS))) {
                continue;
            }
            changed.add(setting.component().getName() + "=" + (setting.secret() ? "(set)" : value));
        }
        return changed.isEmpty() ? "none" : String.join(" ", changed);
    }

    /** The broker URL without its password. */
    private static String redactedUri(String uri) {
        return uri.replaceFirst("//[^@/]*@", "//(credentials)@");
    }
}
