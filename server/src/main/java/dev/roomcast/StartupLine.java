package dev.roomcast;

import dev.roomcast.config.RoomcastConfig;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.RecordComponent;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one INFO line a node writes when it starts: what an operator must know at a glance (address,
 * TLS, broker, authentication, origins, every setting that differs from its default, JVM and GC),
 * never a secret's value.
 *
 * <p>Threading: stateless.
 */
final class StartupLine {

    private static final RoomcastConfig DEFAULTS = RoomcastConfig.builder().build();
    /** Settings the line states in their own words, so they are not repeated among the changed ones. */
    private static final Set<String> STATED = Set.of("host", "port", "tlsCert", "tlsKey", "broker", "jwtSecret",
            "jwtPublicKey", "apiKey", "adminPassword", "allowedOrigins");
    /** Settings whose value is a secret: shown as "set", whatever they are called in a later version. */
    private static final Pattern SECRET = Pattern.compile("(?i).*(secret|password|apikey).*");

    private StartupLine() {
    }

    static String of(RoomcastConfig config, InetSocketAddress address, String transport) {
        return "Roomcast " + Roomcast.version() + " serving " + (config.tlsEnabled() ? "https" : "http") + "://"
                + address.getHostString() + ":" + address.getPort() + "/"
                + "; TLS " + (config.tlsEnabled() ? "on (" + config.tlsCert() + ")" : "off")
                + "; broker " + (config.redisBroker() ? redactedUri(config.broker()) + " prefix " + config.redisPrefix() : "memory")
                + "; auth " + auth(config)
                + "; HTTP API key " + (config.apiKey() != null ? "set" : "unset")
                + "; admin page " + (config.adminPassword() != null ? "password" : config.apiKey() != null ? "API key" : "off")
                + "; origins " + (config.allowedOrigins().isEmpty() ? "localhost only (default)" : String.join(",", config.allowedOrigins()))
                + "; changed settings " + changedSettings(config)
                + "; " + transport
                + "; Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
                + ", GC " + ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(" + "))
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB"
                + ", " + Runtime.getRuntime().availableProcessors() + " CPUs";
    }

    private static String auth(RoomcastConfig config) {
        if (config.jwtSecret() != null) {
            return "JWT HS256";
        }
        return config.jwtPublicKey() != null ? "JWT public key " + config.jwtPublicKey() : "none (anonymous guests)";
    }

    /** Every setting whose value differs from its default, as name=value, secrets as name=(set). */
    private static String changedSettings(RoomcastConfig config) {
        List<String> changed = new ArrayList<>();
        for (RecordComponent setting : RoomcastConfig.class.getRecordComponents()) {
            Object value = valueOf(setting, config);
            if (STATED.contains(setting.getName()) || Objects.equals(value, valueOf(setting, DEFAULTS))) {
                continue;
            }
            changed.add(setting.getName() + "=" + (SECRET.matcher(setting.getName()).matches() ? "(set)" : value));
        }
        return changed.isEmpty() ? "none" : String.join(" ", changed);
    }

    private static Object valueOf(RecordComponent setting, RoomcastConfig config) {
        try {
            return setting.getAccessor().invoke(config);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read setting " + setting.getName(), e);
        }
    }

    /** The broker URL without its password. */
    private static String redactedUri(String uri) {
        return uri.replaceFirst("//[^@/]*@", "//(credentials)@");
    }
}
