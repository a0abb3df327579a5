package io.acp.webapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealed session tokens: they open to their key until expiry, under the same secret only, and not after logout. */
class SessionTokensTest {

    @TempDir
    Path dir;

    private static Clock at(Instant t) {
        return Clock.fixed(t, ZoneOffset.UTC);
    }

    @Test
    void aTokenOpensToItsKeyUntilItExpiresAndAcrossARestart() throws Exception {
        Instant now = Instant.parse("2026-11-24T12:00:00Z");
        byte[] secret = SessionTokens.loadSecret(dir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(SessionTokens.SECRET_FILE)))).isEqualTo("rw-------");
        SessionTokens.Issued issued = new SessionTokens(secret, Duration.ofHours(1), at(now)).issue("acp_key");
        assertThat(issued.expires()).isEqualTo(now.plus(Duration.ofHours(1)));

        SessionTokens restarted = new SessionTokens(SessionTokens.loadSecret(dir), Duration.ofHours(1), at(now.plusSeconds(3599)));
        assertThat(restarted.open(issued.token()).key()).isEqualTo("acp_key");
        assertThat(new SessionTokens(secret, Duration.ofHours(1), at(now.plusSeconds(3600))).open(issued.token())).as("expired").isNull();
    }

    @Test
    void forgedDamagedForeignAndRevokedTokensDoNotOpen() {
        SessionTokens tokens = new SessionTokens(SessionTokens.loadSecret(dir), Duration.ofHours(1), Clock.systemUTC());
        String token = tokens.issue("acp_key").token();
        // Every character of the sealed part, changed in turn (the last one may carry only padding bits).
        for (int i = SessionTokens.PREFIX.length(); i < token.length() - 1; i++) {
            char c = token.charAt(i);
            String damaged = token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
            assertThat(tokens.open(damaged)).as("character %d changed", i).isNull();
        }
        assertThat(tokens.open("acpw_")).isNull();
        assertThat(tokens.open("acpw_!!!")).isNull();
        assertThat(tokens.open("acp_key")).isNull();
        assertThat(new SessionTokens(new byte[32], Duration.ofHours(1), Clock.systemUTC()).open(token)).as("another node's secret").isNull();
        tokens.revoke(token, Instant.now().plusSeconds(3600));
        assertThat(tokens.open(token)).as("after logout").isNull();
    }

    @Test
    void refreshingKeepsTheAbsoluteLifetime() {
        Instant now = Instant.parse("2026-11-24T12:00:00Z");
        byte[] secret = SessionTokens.loadSecret(dir);
        SessionTokens.Issued first = new SessionTokens(secret, Duration.ofHours(1), at(now)).issue("acp_key");
        // 50 minutes later the stolen token logs in again: the new token ends when the first did.
        SessionTokens later = new SessionTokens(secret, Duration.ofHours(1), at(now.plusSeconds(3000)));
        SessionTokens.Opened opened = later.open(first.token());
        SessionTokens.Issued refreshed = later.issue(opened.key(), opened.expires());
        assertThat(refreshed.expires()).isEqualTo(first.expires());
        assertThat(new SessionTokens(secret, Duration.ofHours(1), at(now.plusSeconds(3600))).open(refreshed.token())).as("past the first expiry").isNull();
    }

    @Test
    void aLogoutSurvivesARestartAndTheFileHoldsNoToken() throws Exception {
        byte[] secret = SessionTokens.loadSecret(dir);
        Path file = dir.resolve(SessionTokens.REVOKED_FILE);
        SessionTokens tokens = new SessionTokens(secret, Duration.ofHours(1), Clock.systemUTC(), file);
        SessionTokens.Issued issued = tokens.issue("acp_key");
        SessionTokens.Issued other = tokens.issue("acp_key");
        tokens.revoke(issued.token(), issued.expires());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).doesNotContain(issued.token().substring(SessionTokens.PREFIX.length())).doesNotContain("acp_key");

        SessionTokens restarted = new SessionTokens(secret, Duration.ofHours(1), Clock.systemUTC(), file);
        assertThat(restarted.open(issued.token())).as("logged out before the restart").isNull();
        assertThat(restarted.open(other.token()).key()).as("another session goes on").isEqualTo("acp_key");
    }
}
