package dev.roomcast.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on a loopback port to a fixed target, which a test can cut (every connection closed,
 * new ones refused) and restore on the same port: an outage of the service behind it, for this test only.
 * It can also hold back the bytes of one connection (numbered in the order they were accepted, from 0),
 * both ways, and let them through later: a stalled path, with nothing lost.
 *
 * <p>Threading: thread-safe; one daemon thread accepts, two per connection copy bytes.
 */
public final class TcpRelay implements AutoCloseable {

    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** One per connection ever accepted, in order: whether its bytes are held back. */
    private final List<Valve> valves = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile ServerSocket listening;

    public TcpRelay(String targetHost, int targetPort) throws IOException {
        this.target = new InetSocketAddress(targetHost, targetPort);
        this.listening = listen(0);
        this.port = listening.getLocalPort();
    }

    public int port() {
        return port;
    }

    /** Closes every relayed connection and refuses new ones until {@link #restore}. */
    public synchronized void cut() throws IOException {
        listening.close();
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
    }

    /** Accepts connections again, on the same port. */
    public synchronized void restore() throws IOException {
        listening = listen(port);
    }

    /** Holds back the bytes of connection {@code index} (0 = the first accepted), both ways, until {@link #release}. */
    public void hold(int index) {
        valves.get(index).set(true);
    }

    /** Lets through what was held back on connection {@code index}, in order, and everything after it. */
    public void release(int index) {
        valves.get(index).set(false);
    }

    /** How many connections have been accepted so far. */
    public int accepted() {
        return valves.size();
    }

    @Override
    public void close() throws IOException {
        cut();
    }

    /** Blocks a copying thread while closed. */
    private static final class Valve {
        private boolean closed;

        synchronized void set(boolean close) {
            closed = close;
            notifyAll();
        }

        synchronized void awaitOpen() throws IOException {
            try {
                while (closed) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while held", e);
            }
        }
    }

    private ServerSocket listen(int onPort) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort));
        daemon("relay-accept", () -> {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException closed) {
                    return;
                }
                try {
                    Socket upstream = new Socket(target.getAddress(), target.getPort());
                    if (!register(server, client, upstream)) {
                        close(client);
                        close(upstream);
                        continue;
                    }
                    Valve valve = new Valve();
                    valves.add(valve);
                    daemon("relay-up", () -> copy(client, upstream, valve));
                    daemon("relay-down", () -> copy(upstream, client, valve));
                } catch (IOException targetDown) {
                    // As if the target refused: the client sees its connection close and retries.
                    close(client);
                }
            }
        });
        return server;
    }

    /**
     * Adds an accepted connection and its upstream to the open ones, unless the listener that accepted it has been
     * cut meanwhile: the upstream connect runs outside the lock, so a connection accepted just before {@link #cut}
     * would otherwise be added after cut closed the others and outlive the outage.
     */
    private synchronized boolean register(ServerSocket acceptedBy, Socket client, Socket upstream) {
        if (acceptedBy.isClosed()) {
            return false;
        }
        open.add(client);
        open.add(upstream);
        return true;
    }

    private void copy(Socket from, Socket to, Valve valve) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                valve.awaitOpen();
                out.write(buffer, 0, read);
            }
        } catch (IOException closed) {
            // One side went away: take the other down too.
        } finally {
            close(from);
            close(to);
        }
    }

    private void close(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
