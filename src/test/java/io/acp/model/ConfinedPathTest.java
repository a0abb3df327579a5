package io.acp.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where paths lead on a real file system: symlinks followed, paths not created yet normalised on top. */
class ConfinedPathTest {

    @TempDir
    Path dir;

    @Test
    void aPathNotCreatedYetBelowARootIsOfThatRoot() throws IOException {
        Path images = Files.createDirectory(dir.resolve("images"));
        Path other = Files.createDirectory(dir.resolve("other"));

        assertThat(ConfinedPath.rootOf(images.resolve("new/disk.qcow2"), List.of(other, images))).contains(images);
        assertThat(ConfinedPath.rootOf(images, List.of(images))).as("a root is not below itself").isEmpty();
        assertThat(ConfinedPath.rootOf(images.resolve("../other/x"), List.of(images))).isEmpty();
    }

    @Test
    void aSymlinkOutOfTheRootLeadsOutOfIt() throws IOException {
        Path images = Files.createDirectory(dir.resolve("images"));
        Path outside = Files.createDirectory(dir.resolve("etc"));
        Files.createSymbolicLink(images.resolve("escape"), outside);

        Path resolved = ConfinedPath.resolve(images.resolve("escape/shadow"));

        assertThat(resolved).isEqualTo(outside.toRealPath().resolve("shadow"));
        assertThat(ConfinedPath.rootOfResolved(resolved, List.of(images))).isEmpty();
        assertThat(ConfinedPath.rootOf(images.resolve("escape/shadow"), List.of(images))).isEmpty();
    }

    @Test
    void aRootThatIsASymlinkIsTheDirectoryItLeadsTo() throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);

        assertThat(ConfinedPath.rootOf(real.resolve("disk.img"), List.of(link))).contains(link);
        assertThat(ConfinedPath.rootOfResolved(ConfinedPath.resolve(link.resolve("disk.img")), List.of(link))).contains(link);
        assertThat(ConfinedPath.rootOf(real.resolve("disk.img"), List.of())).isEmpty();
    }
}
