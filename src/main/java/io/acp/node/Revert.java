package io.acp.node;

import io.smallrye.mutiny.Uni;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The undo list of a multi-step change (Incus' {@code revert} is the model): each step that
 * succeeded adds how to take it back; on failure {@link #revert} runs them newest first, every one
 * of them even if one fails; once the change is done (or can no longer be taken back) {@link #done}
 * forgets them. Not thread-safe: one change's steps run one after another.
 */
public final class Revert {

    private final Deque<Supplier<Uni<?>>> undos = new ArrayDeque<>();

    /** Adds the undo of the step that just succeeded; it runs before those added earlier. */
    public void add(Supplier<Uni<?>> undo) {
        undos.push(undo);
    }

    /** Adds an undo that must run after all the others (e.g. restarting the original copy last). */
    public void addLast(Supplier<Uni<?>> undo) {
        undos.addLast(undo);
    }

    /** The change is done, or past the point where it can be taken back: nothing is undone. */
    public void done() {
        undos.clear();
    }

    /** How many undos are held. */
    public int size() {
        return undos.size();
    }

    /**
     * Runs the undos newest first and forgets them. An undo that fails is handed to
     * {@code failedUndo} and the next one still runs; the returned Uni never fails, so the error
     * that made the caller revert stays the one it reports.
     */
    public Uni<Void> revert(Consumer<Throwable> failedUndo) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        while (!undos.isEmpty()) {
            Supplier<Uni<?>> undo = undos.pop();
            chain = chain.chain(() -> Uni.createFrom().deferred(undo).replaceWithVoid()
                    .onFailure().invoke(failedUndo)
                    .onFailure().recoverWithNull());
        }
        return chain;
    }
}
