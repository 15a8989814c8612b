package dev.roomcast.server;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/** Builds the server's TLS context from PEM files, on the JDK's TLS provider. Stateless. */
final class TlsContexts {

    private TlsContexts() {
    }

    /**
     * A server context for the certificate chain and its PKCS#8 private key.
     *
     * @throws IllegalArgumentException with a one-line reason when the files cannot be used
     */
    static SslContext server(Path certChain, Path privateKey) {
        try {
            return SslContextBuilder.forServer(certChain.toFile(), privateKey.toFile())
                    .sslProvider(SslProvider.JDK)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use TLS certificate " + certChain + " with key " + privateKey
                    + " (PEM certificate chain and unencrypted PKCS#8 key expected): " + e.getMessage(), e);
        }
    }
}
