package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyStoreTest {

    @TempDir
    Path dir;

    @Test
    void authenticatesEachKeyToItsNameAndRole() throws Exception {
        TestNode.writeKeys(dir);
        ApiKeyStore store = ApiKeyStore.open(dir);
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.authenticate(TestNode.ADMIN_KEY)).isEqualTo(new ApiIdentity("root", Role.ADMIN));
        assertThat(store.authenticate(TestNode.OPERATOR_KEY)).isEqualTo(new ApiIdentity("ops", Role.OPERATOR));
        assertThat(store.authenticate(TestNode.READER_KEY)).isEqualTo(new ApiIdentity("viewer", Role.READ_ONLY));
        assertThat(Files.exists(dir.resolve("admin.key"))).as("no key generated when the file exists").isFalse();
    }

    @Test
    void missingWrongAndEmptyKeysFailAlike() throws Exception {
        TestNode.writeKeys(dir);
        ApiKeyStore store = ApiKeyStore.open(dir);
        for (String key : new String[] {null, "", "acp_wrong", TestNode.ADMIN_KEY + " "}) {
            assertThatThrownBy(() -> store.authenticate(key))
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED))
                    .hasMessage("missing or wrong API key");
        }
    }

    @Test
    void badLinesAreRejectedNamingTheLine() throws Exception {
        Files.writeString(dir.resolve("api-keys"), "# ok\nops operator " + "ab".repeat(32) + "\nbob superuser " + "cd".repeat(32) + "\n");
        assertThatThrownBy(() -> ApiKeyStore.open(dir)).hasMessageContaining("line 3").hasMessageContaining("superuser");
        Files.writeString(dir.resolve("api-keys"), "bob admin 1234\n");
        assertThatThrownBy(() -> ApiKeyStore.open(dir)).hasMessageContaining("line 1").hasMessageContaining("64 hex");
        Files.writeString(dir.resolve("api-keys"), "bob admin\n");
        assertThatThrownBy(() -> ApiKeyStore.open(dir)).hasMessageContaining("line 1");
    }

    @Test
    void generatedKeysAreDistinct256BitTokens() {
        String a = ApiKeyStore.newKey();
        String b = ApiKeyStore.newKey();
        assertThat(a).isNotEqualTo(b).matches("acp_[A-Za-z0-9_-]{43}");
    }
}
