package dev.roomcast.server;

import dev.roomcast.metrics.ServerMetrics;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API's access log, one INFO line per answered request with its status and duration, and
 * the request metric by route template. The line shows the request's real path; the metric only
 * its route, so no room name becomes a label.
 *
 * <p>Threading: thread-safe (stateless; the metrics are thread-safe). Called on whichever thread
 * completed the answer.
 */
final class ApiAccessLog {

    private static final Logger log = LoggerFactory.getLogger(ApiAccessLog.class);

    private final ServerMetrics metrics;

    ApiAccessLog(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * A {@code method} request for {@code uri}, to {@code route} (a template such as
     * {@code /v1/rooms/{room}/messages}), was answered
     * with {@code status}; it arrived at {@code startNanos} ({@link System#nanoTime}).
     */
    void answered(Channel channel, HttpMethod method, String uri, String route, int status, long startNanos) {
        long nanos = System.nanoTime() - startNanos;
        metrics.httpRequest(route, methodLabel(method), status, nanos);
        log.info("{} \"{} {}\" {} {} ms", channel.remoteAddress(), method, uri, status,
                String.format("%.1f", nanos / 1e6));
    }

    /** A client may send any token as a method; the label keeps the ones the API serves. */
    private static String methodLabel(HttpMethod method) {
        if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.POST.equals(method)) {
            return method.name();
        }
        return "other";
    }
}
