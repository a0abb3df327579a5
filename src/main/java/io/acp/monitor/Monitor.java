package io.acp.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ChangeFilter;
import io.acp.cluster.ObjectQuery;
import io.acp.model.Entry;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.monitor.Observations.Reachability;
import io.acp.monitor.election.Decision;
import io.acp.monitor.election.Election;
import io.acp.monitor.election.MonitorPeer;
import io.acp.monitor.election.Role;
import io.smallrye.mutiny.subscription.Cancellable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * One node's monitor, independent of Quarkus so tests run several in one JVM. Each {@link #round}
 * reads the CDB, evaluates the rules, runs the election, publishes this monitor's meta on
 * {@code service/<node>:monitor} and, on the primary only, the health stats and the alarms.
 * Rounds are run by one thread; {@link StatsArrivals} is fed from the CDB's change stream.
 *
 * <p>The meta of {@code service/<node>:monitor} is shared with the framework, which writes the
 * service's state there: both change only their own fields, through the CDB's atomic
 * {@link Cdb#updateMeta}, so neither hides the other's.
 */
public final class Monitor implements AutoCloseable {

    static final String ROLE = "role";
    static final String TERM = "term";
    static final String PRIMARY = "primary";
    static final String HITS = "hits";

    private final Cdb cdb;
    private final String node;
    private final MonitorSettings settings;
    private final LongSupplier clockMillis;
    private final ObjectKey self;
    private final StatsArrivals arrivals;
    private final Hysteresis hysteresis;
    private final Election election;
    private final AlarmKeeper alarms;
    private final Cancellable statsFeed;
    private volatile Decision decision;
    private volatile HealthReport report;

    public Monitor(Cdb cdb, MonitorSettings settings, LongSupplier clockMillis) {
        this.cdb = cdb;
        this.node = cdb.localNode();
        this.settings = settings;
        this.clockMillis = clockMillis;
        this.self = serviceKey(node);
        this.arrivals = new StatsArrivals(clockMillis);
        this.hysteresis = new Hysteresis(clockMillis.getAsLong());
        this.election = new Election(node);
        this.alarms = new AlarmKeeper(cdb, settings);
        for (String n : CdbObservations.nodeIds(cdb)) {
            if (!cdb.stats(ObjectKey.of(ObjectType.NODE, n), n).isEmpty()) {
                arrivals.known(n);
            }
        }
        this.statsFeed = cdb.changes(new ChangeFilter(Set.of(Entry.Kind.STATS), ObjectType.NODE, null, null))
                .subscribe().with(e -> {
                    if (e.node().equals(e.key().id())) {
                        arrivals.arrived(e.node(), ((StatsEntry) e).values());
                    }
                });
    }

    public static ObjectKey serviceKey(String node) {
        return ObjectKey.of(ObjectType.SERVICE, node + ":monitor");
    }

    /** One round: evaluate, elect, publish; the primary also keeps the alarms. */
    public void round() {
        long now = clockMillis.getAsLong();
        Observations seen = CdbObservations.read(cdb, arrivals, now, settings.errorWindow().toMillis());
        List<Hit> hits = HealthRules.evaluate(seen, settings);
        Set<String> ids = new HashSet<>();
        hits.forEach(h -> ids.add(h.alarmId()));
        hysteresis.observe(now, ids);
        List<String> nodeIds = new ArrayList<>();
        seen.nodes().forEach(n -> nodeIds.add(n.id()));
        HealthReport r = HealthReport.of(nodeIds, hits);
        report = r;
        Decision d = election.next(liveMonitors());
        decision = d;
        publishMeta(d, r);
        if (d.role() == Role.PRIMARY) {
            cdb.putStats(self, r.stats());
            alarms.reconcile(now, hits, hysteresis, seen);
        }
    }

    /** The other monitors this node sees alive, with the terms they published. */
    private List<MonitorPeer> liveMonitors() {
        List<MonitorPeer> live = new ArrayList<>();
        for (ObjectEntry s : cdb.objects(new ObjectQuery(ObjectType.SERVICE, "monitor", null, null, false))) {
            String peer = monitorNode(s);
            if (peer == null || peer.equals(node) || CdbObservations.reachability(cdb, node, peer) != Reachability.ALIVE) {
                continue;
            }
            List<MetaEntry> meta = cdb.meta(s.key(), peer);
            if (!meta.isEmpty() && runs(meta.get(0).values())) {
                live.add(new MonitorPeer(peer, meta.get(0).values().path(TERM).asLong(0)));
            }
        }
        return live;
    }

    /** The node of a {@code service/<node>:monitor} object. */
    static String monitorNode(ObjectEntry service) {
        String id = service.id();
        return id.endsWith(":monitor") ? id.substring(0, id.length() - ":monitor".length()) : null;
    }

    /** A monitor runs while it publishes a role, or while the framework says the service runs. */
    static boolean runs(JsonNode meta) {
        return meta.has(ROLE) || meta.path("state").asText("").equals("running");
    }

    private void publishMeta(Decision d, HealthReport r) {
        cdb.updateMeta(self, values -> {
            values.put(ROLE, d.role().wireName())
                    .put(TERM, d.term())
                    .put(PRIMARY, d.primary());
            if (d.role() == Role.PRIMARY) {
                values.set(HITS, HealthReport.hitsJson(r.hits()));
            } else {
                values.remove(HITS);
            }
            return values;
        });
    }

    Cdb cdb() {
        return cdb;
    }

    /** The last decision, or null before the first round. */
    public Decision decision() {
        return decision;
    }

    /** The last report, or null before the first round. */
    public HealthReport report() {
        return report;
    }

    /** Stops listening and withdraws this monitor's fields from its meta, so no one counts it as running. */
    @Override
    public void close() {
        statsFeed.cancel();
        cdb.updateMeta(self, values -> values.has(ROLE) ? (ObjectNode) values.remove(List.of(ROLE, TERM, PRIMARY, HITS)) : values);
    }
}
