package dev.roomcast.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on a loopback port to a fixed target, which a test can cut (every connection closed,
 * new ones refused) and restore on the same port: an outage of the service behind it, for this test only.
 *
 * <p>Threading: thread-safe; one daemon thread accepts, two per connection copy bytes.
 */
public final class TcpRelay implements AutoCloseable {

    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
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

    @Override
    public void close() throws IOException {
        cut();
    }

    private ServerSocket listen(int onPort) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort));
        daemon("relay-accept", () -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket(target.getAddress(), target.getPort());
                    open.add(client);
                    open.add(upstream);
                    daemon("relay-up", () -> copy(client, upstream));
                    daemon("relay-down", () -> copy(upstream, client));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return server;
    }

    private void copy(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
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
