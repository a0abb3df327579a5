package io.acp.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RevertTest {

    @Test
    void undoesNewestFirstWithAddLastAtTheEndAndGoesOnPastAFailure() {
        List<String> ran = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Revert revert = new Revert();
        revert.add(() -> Uni.createFrom().item(ran.add("first")));
        revert.addLast(() -> Uni.createFrom().item(ran.add("last")));
        revert.add(() -> Uni.createFrom().failure(new IllegalStateException("second could not be undone")));
        revert.add(() -> Uni.createFrom().item(ran.add("third")));

        revert.revert(f -> failures.add(f.getMessage())).await().indefinitely();

        assertEquals(List.of("third", "first", "last"), ran);
        assertEquals(List.of("second could not be undone"), failures);
        assertEquals(0, revert.size());
    }

    @Test
    void aThrowingUndoDoesNotStopTheOthers() {
        List<String> ran = new ArrayList<>();
        Revert revert = new Revert();
        revert.add(() -> Uni.createFrom().item(ran.add("older")));
        revert.add(() -> {
            throw new IllegalStateException("threw before making its Uni");
        });
        List<String> failures = new ArrayList<>();
        revert.revert(f -> failures.add(f.getMessage())).await().indefinitely();
        assertEquals(List.of("older"), ran);
        assertEquals(List.of("threw before making its Uni"), failures);
    }

    @Test
    void doneForgetsEverything() {
        List<String> ran = new ArrayList<>();
        Revert revert = new Revert();
        revert.add(() -> Uni.createFrom().item(ran.add("undo")));
        revert.done();
        revert.revert(f -> ran.add("failed")).await().indefinitely();
        assertEquals(List.of(), ran);
    }
}
