package io.acp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training run's class-load log, as JDK 17's -Xlog:class+load writes it. */
class ArchiveTrainingTest {

    @Test
    void linksTheClassesTheLogNamesAsLoadedFromJarsAndNothingElse(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("loaded.log");
        Files.writeString(log, """
                [0.010s][info][class,load] java.lang.Object source: shared objects file
                [0.020s][info][class,load] java.sql.Driver source: jrt:/java.sql
                [0.030s][info][class,load] picocli.CommandLine$Help$Ansi source: file:/opt/acp/lib/main/info.picocli.picocli-4.7.7.jar
                [0.031s][info][class,load] org.assertj.core.api.Assertions source: jar:file:/opt/acp/lib/main/assertj-core.jar!/
                [0.040s][info][class,load] java.lang.invoke.LambdaForm$MH/0x0000000800c01000 source: __JVM_LookupDefineClass__
                [0.050s][info][class,load] io.acp.NoSuchClass source: file:/opt/acp/app/acp.jar
                not a class-load line at all
                """);

        // picocli's and AssertJ's classes exist for this loader; the missing one is skipped quietly.
        assertThat(ArchiveTraining.linkLoaded(log, ArchiveTrainingTest.class.getClassLoader())).isEqualTo(2);
    }
}
