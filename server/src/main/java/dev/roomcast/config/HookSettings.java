package dev.roomcast.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The application backend's say over connections (docs/operations.md, "Your backend"): the connect hook's
 * URL, and the timeout and concurrency bound of every hook call (the join and publish hooks are set per
 * namespace, in the config file's {@code namespaces:} section).
 *
 * <p>Threading: immutable.
 */
public record HookSettings(
        @Setting(flag = "--hook-connect",
                help = "URL the backend answers before every WebSocket upgrade: it decides the user, name and rooms, or"
                        + " refuses with an HTTP status. Unset: tokens or ?name= decide, as without hooks.")
        String connectUrl,
        @Setting(flag = "--hook-headers",
                help = "Request headers the connect hook gets besides Cookie and Authorization (comma-separated names).")
        List<String> forwardedHeaders,
        @Setting(flag = "--hook-timeout", defaultValue = "2s", min = "1ms", max = "60s",
                help = "How long a hook call may take; a backend that does not answer in time fails closed (503 before"
                        + " the upgrade, error 'unavailable' after).")
        Duration timeout,
        @Setting(flag = "--hook-max-concurrent", defaultValue = "256", min = "1", max = "100000",
                help = "Hook calls in flight at once on this node; a call beyond it fails closed at once.")
        int maxConcurrent) {

    public HookSettings {
        connectUrl = checkedUrl("--hook-connect", connectUrl);
        forwardedHeaders = forwardedHeaders == null ? List.of()
                : forwardedHeaders.stream().map(name -> name.toLowerCase(Locale.ROOT)).toList();
    }

    /** Null for null, else the URL, which must be an absolute http:// or https:// one; {@code where} names the setting. */
    public static String checkedUrl(String where, String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        String stripped = url.strip();
        try {
            URI uri = new URI(stripped);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return stripped;
            }
        } catch (URISyntaxException e) {
            // refused below with the same message
        }
        throw new InvalidSetting(where, "must be an http:// or https:// URL, got " + url);
    }
}
