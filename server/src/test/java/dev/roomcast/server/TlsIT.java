package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --tls-cert}/{@code --tls-key}: the same port serves https and wss with a certificate made
 * for this test by the JDK's keytool, to a client that trusts exactly that certificate.
 */
@Timeout(120)
class TlsIT {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;

    private static TestServer server;
    private static HttpClient trusting;

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "roomcast", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as("keytool: %s", output).isZero();

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD);
        }
        Certificate certificate = store.getCertificate("roomcast");
        Path cert = Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", certificate.getEncoded()));
        Path key = Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", store.getKey("roomcast", PASSWORD).getEncoded()));
        server = TestServer.start(b -> b.tlsCert(cert).tlsKey(key));

        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("roomcast", certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        trusting = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static URI uri(String scheme, String path) {
        return URI.create(scheme + "://127.0.0.1:" + server.port() + path);
    }

    @Test
    void roomsWorkOverWss() {
        String room = "tls-room";
        try (WsClient a = WsClient.connect(uri("wss", "/ws/" + room), trusting);
             WsClient b = WsClient.connect(uri("wss", "/ws/" + room), trusting)) {
            Awaitility.await().atMost(WsClient.WAIT).until(() -> server.node().hub().memberCount(room) == 2);
            a.send("over TLS");
            assertThat(b.next()).isEqualTo("Message from " + room + ": over TLS");
            assertThat(a.next()).isEqualTo("Message from " + room + ": over TLS");
        }
    }

    @Test
    void thePageAndHealthAreServedOverHttps() throws Exception {
        HttpResponse<String> health = trusting.send(HttpRequest.newBuilder(uri("https", "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.sslSession()).isPresent();
    }

    @Test
    void plainHttpOnTheTlsPortIsNotServedAndAClientThatDoesNotTrustTheCertificateIsRefused() {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(uri("http", "/healthz"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(uri("https", "/healthz"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
        roomsWorkOverWss();
    }
}
