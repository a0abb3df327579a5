package io.acp.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.testing.TestPki;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's key manager made from its PEM files, without a key store: it reads the key the same
 * as BouncyCastle does, offers it only for the key type it is, refuses a certificate for another
 * key, and carries real TLS 1.3 and 1.2 handshakes with client certificates on loopback.
 */
class NodeKeyManagerTest {

    @TempDir
    Path dir;

    @Test
    void a_pkcs8_key_read_by_the_jdk_is_the_key_bouncycastle_reads() throws Exception {
        PkiFiles node = node("n1");

        PrivateKey jdk = Pem.readPrivateKey(node.nodeKey());
        PrivateKey bc;
        try (Reader r = Files.newBufferedReader(node.nodeKey()); PEMParser p = new PEMParser(r)) {
            bc = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) p.readObject());
        }

        assertThat(jdk.getAlgorithm()).isEqualTo("EC");
        assertThat(jdk.getEncoded()).isEqualTo(bc.getEncoded());
    }

    @Test
    void it_offers_the_key_only_for_its_own_key_type() {
        NodeKeyManager keys = NodeKeyManager.read(node("n1"));

        assertThat(keys.chooseEngineServerAlias("EC", null, null)).isEqualTo(NodeKeyManager.ALIAS);
        assertThat(keys.chooseEngineServerAlias("EC_EC", null, null)).isEqualTo(NodeKeyManager.ALIAS);
        assertThat(keys.chooseEngineServerAlias("RSA", null, null)).isNull();
        assertThat(keys.chooseEngineServerAlias("EC_RSA", null, null)).isNull();
        assertThat(keys.chooseEngineClientAlias(new String[] {"RSA", "EC"}, null, null)).isEqualTo(NodeKeyManager.ALIAS);
        assertThat(keys.chooseEngineClientAlias(new String[] {"RSA"}, null, null)).isNull();
        assertThat(keys.getCertificateChain(NodeKeyManager.ALIAS)).hasSize(1);
        assertThat(NodeCertificates.nodeId(keys.getCertificateChain(NodeKeyManager.ALIAS)[0])).isEqualTo("n1");
        assertThat(keys.getPrivateKey("other")).isNull();
        assertThat(keys.getCertificateChain("other")).isNull();
    }

    @Test
    void a_certificate_for_another_kind_of_key_is_refused() throws Exception {
        PkiFiles node = node("n1");
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        PrivateKey other = rsa.generateKeyPair().getPrivate();

        assertThatThrownBy(() -> NodeKeyManager.of(other, Pem.readCertificate(node.nodeCertificate())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("n1")
                .hasMessageContaining("holds a EC key, but the private key is RSA");
    }

    @Test
    void two_nodes_complete_mutual_tls_handshakes_with_it() throws Exception {
        PkiFiles ca = TestPki.newCluster(dir.resolve("ca"), "c1");
        TestPki.provision(ca, dir.resolve("a"), "a");
        TestPki.provision(ca, dir.resolve("b"), "b");
        PkiFiles a = PkiFiles.in(dir.resolve("a"));
        PkiFiles b = PkiFiles.in(dir.resolve("b"));

        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            SSLContext server = context(a);
            SSLContext client = context(b);
            try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                listener.setNeedClientAuth(true);
                listener.setEnabledProtocols(new String[] {protocol});
                CompletableFuture<X509Certificate> clientSeen = CompletableFuture.supplyAsync(() -> {
                    try (SSLSocket s = (SSLSocket) listener.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
                        out.write(in.read());
                        return peer;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                X509Certificate serverSeen;
                String negotiated;
                int echoed;
                try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                    s.setEnabledProtocols(new String[] {protocol});
                    s.startHandshake();
                    serverSeen = (X509Certificate) s.getSession().getPeerCertificates()[0];
                    negotiated = s.getSession().getProtocol();
                    s.getOutputStream().write(42);
                    echoed = s.getInputStream().read();
                }
                assertThat(negotiated).isEqualTo(protocol);
                assertThat(echoed).isEqualTo(42);
                assertThat(NodeCertificates.nodeId(serverSeen)).isEqualTo("a");
                assertThat(NodeCertificates.nodeId(clientSeen.get(10, TimeUnit.SECONDS))).isEqualTo("b");
            }
        }
    }

    private PkiFiles node(String id) {
        PkiFiles ca = TestPki.newCluster(dir.resolve("ca-" + id), "c1");
        TestPki.provision(ca, dir.resolve(id), id);
        return PkiFiles.in(dir.resolve(id));
    }

    private static SSLContext context(PkiFiles files) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", Pem.readCertificate(files.caCertificate()));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {NodeKeyManager.read(files)}, tmf.getTrustManagers(), null);
        return ctx;
    }
}
