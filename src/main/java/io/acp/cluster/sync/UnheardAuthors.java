package io.acp.cluster.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Authors whose tagged deltas this node took before it heard any heartbeat of theirs. What a
 * tagged delta brings is held without a seal until the author's next heartbeat seals it, and such
 * reports are forgotten when the author restarts or dies (see ClusterSync). Both are judged by
 * membership, which only heartbeats move: an author this node never heard has no epoch there to
 * compare a restart with, and is never declared dead. So the oldest life (epoch) such reports came
 * in, and when the last came, are kept here until a heartbeat of the author is heard. It happens to a
 * node that starts after an author's first heartbeat and gets the author's certificate before its
 * next one; an author that stops within that time left its reports there for good. Sync thread only.
 */
final class UnheardAuthors {

    private record Life(long epoch, long lastMillis) {
    }

    private final Map<String, Life> lives = new HashMap<>();

    /** Tagged reports of {@code author} in {@code epoch} were taken now; its oldest such life is kept. */
    void tookReports(String author, long epoch, long nowMillis) {
        Life held = lives.get(author);
        lives.put(author, new Life(held == null ? epoch : Math.min(epoch, held.epoch()), nowMillis));
    }

    /**
     * A heartbeat of {@code author} was heard: membership knows it from now on. Returns the oldest
     * life whose reports were taken before that, if any.
     */
    OptionalLong heard(String author) {
        Life held = lives.remove(author);
        return held == null ? OptionalLong.empty() : OptionalLong.of(held.epoch());
    }

    /**
     * Authors still unheard, whose last tagged delta came {@code silentMillis} ago or longer (what
     * declares a heard peer dead): removed and returned.
     */
    List<String> silentFor(long nowMillis, long silentMillis) {
        List<String> silent = new ArrayList<>();
        for (Iterator<Map.Entry<String, Life>> it = lives.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Life> e = it.next();
            if (nowMillis - e.getValue().lastMillis() >= silentMillis) {
                silent.add(e.getKey());
                it.remove();
            }
        }
        return silent;
    }

    boolean isEmpty() {
        return lives.isEmpty();
    }
}
