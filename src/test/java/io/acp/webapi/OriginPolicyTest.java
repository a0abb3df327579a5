package io.acp.webapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    @Test
    void sameOriginByDefault() {
        OriginPolicy p = new OriginPolicy(Optional.empty());
        assertThat(p.permits("http://127.0.0.1:7480", "127.0.0.1:7480")).isTrue();
        assertThat(p.permits("https://acp.example.org", "acp.example.org")).isTrue();
        assertThat(p.permits("http://127.0.0.1:7481", "127.0.0.1:7480")).isFalse();
        assertThat(p.permits("http://evil.example", "127.0.0.1:7480")).isFalse();
        assertThat(p.permits("null", "127.0.0.1:7480")).as("sandboxed page").isFalse();
        assertThat(p.permits("http://evil.example", null)).isFalse();
        assertThat(p.permits(null, "127.0.0.1:7480")).as("not a browser").isTrue();
    }

    @Test
    void anAllowListReplacesSameOrigin() {
        OriginPolicy p = new OriginPolicy(Optional.of(List.of("https://acp.example.org/", "https://ops.example.org")));
        assertThat(p.permits("https://ACP.example.org", "10.0.0.1:7480")).isTrue();
        assertThat(p.permits("https://ops.example.org", "10.0.0.1:7480")).isTrue();
        assertThat(p.permits("http://10.0.0.1:7480", "10.0.0.1:7480")).as("only the listed origins").isFalse();
    }
}
