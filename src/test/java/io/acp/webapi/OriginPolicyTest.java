package io.acp.webapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    private static final String HOST = "127.0.0.1";
    private static final int PORT = 7480;

    @Test
    void theNodesOwnListenAddressByDefaultNeverTheHostHeader() {
        OriginPolicy p = new OriginPolicy(Optional.empty());
        assertThat(p.permits("http://127.0.0.1:7480", HOST, PORT)).isTrue();
        assertThat(p.permits("http://localhost:7480/", HOST, PORT)).isTrue();
        assertThat(p.permits("http://127.0.0.1:7481", HOST, PORT)).isFalse();
        assertThat(p.permits("http://evil.example", HOST, PORT)).isFalse();
        assertThat(p.permits("http://rebind.evil.example:7480", HOST, PORT)).as("a DNS-rebinding page, whatever Host it sends").isFalse();
        assertThat(p.permits("null", HOST, PORT)).as("sandboxed page").isFalse();
        assertThat(p.permits(null, HOST, PORT)).as("not a browser").isTrue();
    }

    @Test
    void anAllowListReplacesTheDefault() {
        OriginPolicy p = new OriginPolicy(Optional.of(List.of("https://acp.example.org/", "https://ops.example.org")));
        assertThat(p.permits("https://ACP.example.org", HOST, PORT)).isTrue();
        assertThat(p.permits("https://ops.example.org", HOST, PORT)).isTrue();
        assertThat(p.permits("http://10.0.0.1:7480", "10.0.0.1", PORT)).as("only the listed origins").isFalse();
    }
}
