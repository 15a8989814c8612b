package dev.roomcast.bench;

import java.net.URI;
import java.time.Duration;

/**
 * Everything one bench run is told to do; immutable.
 *
 * @param scenario      which load shape
 * @param server        base URI of the server, e.g. {@code ws://127.0.0.1:8000}
 * @param protocol      how to talk to it
 * @param clients       connections (connect, echo, chat) or room members including the publisher (fanout)
 * @param rooms         rooms the connections are spread over (connect)
 * @param roomSize      members per room (chat)
 * @param rate          messages per second: the publisher's (fanout; 0 = as fast as the window allows) or each client's (chat)
 * @param window        fan-out messages in flight at most when {@code rate} is 0
 * @param slowMembers   fanout: members that stop reading once joined, to show the server's slow-consumer bound
 * @param messages      fanout: messages the publisher sends at most, over warm-up and window; 0 = no bound.
 *                      The window closes early once they are all sent and delivered
 * @param payloadBytes  size of each message text
 * @param echoPath      echo over {@code /echo} instead of a room of one
 * @param compression   clients offer permessage-deflate (the server compresses only with {@code --compression})
 * @param warmup        traffic before the measured window
 * @param duration      measured window (traffic scenarios) or how long connections are held (connect)
 * @param drainTimeout  how long to wait for deliveries still in flight after the window
 * @param threads       client event loops
 * @param concurrency   handshakes in flight at once
 * @param clientWarmup  handshakes (each followed by a few messages) the bench makes against a server of its own,
 *                      in this process, before it connects to {@code server}, so its JIT has compiled the
 *                      client's path by the time it is measured; 0 = none
 * @param serverPid     the server's process, to read its CPU and memory; 0 when unknown
 * @param procs         client processes (connect only); more than 1 spawns children of this jar
 * @param sourceAddress local address to connect from; null lets the kernel choose
 * @param runId         makes room names unique to this run
 * @param child         this process is one client process of a {@code --procs} run: it reports once
 *                      connected and holds its connections until its standard input closes
 */
public record BenchPlan(
        Scenario scenario,
        URI server,
        WireProtocol protocol,
        int clients,
        int rooms,
        int roomSize,
        double rate,
        int window,
        int slowMembers,
        long messages,
        int payloadBytes,
        boolean echoPath,
        boolean compression,
        Duration warmup,
        Duration duration,
        Duration drainTimeout,
        int threads,
        int concurrency,
        int clientWarmup,
        long serverPid,
        int procs,
        String sourceAddress,
        String runId,
        boolean child) {

    public BenchPlan {
        require(clients >= 1, "clients must be at least 1");
        require(rooms >= 1, "rooms must be at least 1");
        require(roomSize >= 1, "room size must be at least 1");
        require(rate >= 0, "rate must not be negative");
        require(window >= 1, "window must be at least 1");
        require(payloadBytes >= Payload.MIN_BYTES && payloadBytes <= Payload.MAX_BYTES,
                "payload must be between " + Payload.MIN_BYTES + " and " + Payload.MAX_BYTES + " bytes");
        require(threads >= 1, "threads must be at least 1");
        require(concurrency >= 1, "concurrency must be at least 1");
        require(messages >= 0, "messages must not be negative");
        require(clientWarmup >= 0, "client warm-up must not be negative");
        require(procs >= 1, "procs must be at least 1");
        require(slowMembers >= 0 && slowMembers < clients, "slow members must be fewer than the members");
        require(scenario != Scenario.CHAT || rate > 0, "chat needs a rate above 0");
    }

    /** This plan against {@code otherServer}, from a source address the kernel chooses. */
    BenchPlan against(URI otherServer) {
        return new BenchPlan(scenario, otherServer, protocol, clients, rooms, roomSize, rate, window, slowMembers,
                messages, payloadBytes, echoPath, compression, warmup, duration, drainTimeout, threads, concurrency, clientWarmup,
                serverPid, procs, null, runId, child);
    }

    /** The URI a client of {@code room} opens. */
    URI uriFor(String room) {
        return server.resolve(scenario == Scenario.ECHO && echoPath ? "/echo" : protocol.path(room));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
