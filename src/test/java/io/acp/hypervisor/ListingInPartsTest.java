package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The reconcile and the system list read the node's domains from one listing, in one trip to the
 * hypervisor's thread, then the systems a few at a time, each part one trip, each domain's status
 * read in the part that reports it: an operation asked for meanwhile runs between two parts, and
 * what it reported is what they then see, not what the listing saw before it. Real libvirt
 * (test:///default); the domains' own events are dropped, so every report here comes from an
 * operation, the reconcile or the list.
 */
class ListingInPartsTest {

    /** What reads the domains in parts. */
    enum Walk {
        RECONCILE, LIST;

        void run(LibvirtNode node) {
            switch (this) {
                case RECONCILE -> node.service.reconcileNow().await().atMost(LibvirtNode.WAIT);
                case LIST -> node.systems().list().await().atMost(LibvirtNode.WAIT);
            }
        }
    }

    private LibvirtNode node;
    private final List<String> ids = new ArrayList<>();

    @BeforeEach
    void start() {
        node = LibvirtNode.start();
        // ids in the order the reconcile judges them (the CDB's order, by id)
        for (String letter : List.of("a", "b", "c")) {
            String id = LibvirtNode.uniqueId("parts-" + letter);
            node.systems().create(id, SystemLifecycleTest.spec()).await().atMost(LibvirtNode.WAIT);
            ids.add(id);
        }
        node.backend.get().dropEvents = true;
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private JsonNode meta(String id) {
        return node.cdb.meta(SystemReports.key(id), LibvirtNode.NODE).get(0).values();
    }

    /** Returns once {@code d} has passed (on the hypervisor's thread: it holds that thread for as long). */
    private static void outlast(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        while (System.nanoTime() - until < 0) {
            LockSupport.parkNanos(until - System.nanoTime());
        }
    }

    /**
     * On the reconcile's first read, runs {@code operation} (queued on the hypervisor's thread) and
     * holds that part past its time; records the order in which the thread ran reads and operation.
     */
    private CompletableFuture<Void> duringFirstRead(List<String> order, java.util.function.Supplier<io.smallrye.mutiny.Uni<?>> operation) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        node.backend.get().afterListedRead = name -> {
            order.add("read " + name);
            if (order.size() == 1) {
                operation.get().subscribe().with(r -> {
                    order.add("operation");
                    done.complete(null);
                }, done::completeExceptionally);
                outlast(InParts.PART.multipliedBy(2)); // this part has used up its time
            }
        };
        return done;
    }

    @ParameterizedTest
    @EnumSource(Walk.class)
    void aStopAskedForMeanwhileRunsBeforeTheRestAndItsReportStands(Walk walk) throws Exception {
        String victim = ids.get(2);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> stopped = duringFirstRead(order, () -> node.systems().stop(victim));

        walk.run(node);

        stopped.get(LibvirtNode.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(order).as("what the hypervisor's thread ran, in order").containsExactly("read " + ids.get(0), "operation",
                "read " + ids.get(1), "read " + victim);
        assertThat(meta(victim).path("state").asText()).as("the stop's report, after the %s", walk).isEqualTo("stopped");
    }

    @Test
    void theReconcileFindsNothingToChangeAfterAStopMeanwhile() throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> stopped = duringFirstRead(order, () -> node.systems().stop(ids.get(2)));

        int changed = node.service.reconcileNow().await().atMost(LibvirtNode.WAIT);

        stopped.get(LibvirtNode.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(changed).as("reports the reconcile changed: none differed from their domain").isZero();
    }

    @Test
    void theListAnswersWhatTheSystemsAreWhenItReadsThem() throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> stopped = duringFirstRead(order, () -> node.systems().stop(ids.get(2)));

        com.fasterxml.jackson.databind.node.ArrayNode list = node.systems().list().await().atMost(LibvirtNode.WAIT);

        stopped.get(LibvirtNode.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(list).extracting(s -> s.path("id").asText()).containsExactlyElementsOf(ids);
        assertThat(list).extracting(s -> s.path("state").asText()).containsExactly("running", "running", "stopped");
    }

    /**
     * A system whose domain was gone (reported not loaded) and that a start defines again between
     * the listing and its part: not listed, so the reconcile asks libvirt by name instead of
     * reporting it gone again.
     */
    @ParameterizedTest
    @EnumSource(Walk.class)
    void aSystemStartedAgainAfterTheListingIsNotReportedGone(Walk walk) throws Exception {
        String revived = ids.get(2);
        node.backend.get().real.destroy(revived);
        node.backend.get().real.undefine(revived);
        node.service.reconcileNow().await().atMost(LibvirtNode.WAIT);
        assertThat(meta(revived).path("loaded").asBoolean()).as("its domain gone, as the reconcile reported it").isFalse();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> started = duringFirstRead(order, () -> node.systems().start(revived));

        walk.run(node);

        started.get(LibvirtNode.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(order.get(1)).as("the start ran after the reconcile's first part").isEqualTo("operation");
        assertThat(meta(revived).path("state").asText()).as("its state after the %s", walk).isEqualTo("running");
        assertThat(meta(revived).path("loaded").asBoolean()).isTrue();
    }
}
