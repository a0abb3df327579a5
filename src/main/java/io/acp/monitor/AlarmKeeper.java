package io.acp.monitor;

import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Brings the {@code alarm} objects in line with the current hits; run by the primary only. The
 * alarm object is the truth (not the primary's memory), so a new primary carries on where the old
 * one stopped, and both sides of a healed split write the same ids:
 * <ul>
 *   <li>a hit whose alarm is absent or cleared raises it once the condition has held for the raise delay
 *       ({@code firstSeen} is when the condition began);</li>
 *   <li>a hit whose alarm is active refreshes {@code lastSeen} every {@code lastSeenRefresh} (acknowledged stays acknowledged);</li>
 *   <li>an active alarm without a hit is cleared once the condition has been gone for the clear delay, unless
 *       its node cannot be observed now (suspect or dead): the monitor cannot tell, so the alarm is left as it is;</li>
 *   <li>cleared alarms are deleted after the retention.</li>
 * </ul>
 * Every write is conditional on the version read, so an acknowledgement that lands in between is not
 * overwritten: the write fails and the next round sees the acknowledgement.
 */
final class AlarmKeeper {

    private static final Logger LOG = Logger.getLogger(AlarmKeeper.class);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

    private final Cdb cdb;
    private final MonitorSettings settings;

    AlarmKeeper(Cdb cdb, MonitorSettings settings) {
        this.cdb = cdb;
        this.settings = settings;
    }

    /** One round; returns how many alarm objects were written. */
    int reconcile(long nowMillis, List<Hit> hits, Hysteresis hysteresis, Observations seen) {
        Instant now = Instant.ofEpochMilli(nowMillis);
        Map<String, Hit> holding = new HashMap<>();
        hits.forEach(h -> holding.putIfAbsent(h.alarmId(), h));
        Map<String, ObjectEntry> stored = new HashMap<>();
        cdb.objects(ObjectQuery.ofType(ObjectType.ALARM)).forEach(e -> stored.put(e.id(), e));
        List<Uni<?>> writes = new ArrayList<>();
        holding.forEach((id, hit) -> {
            ObjectEntry e = stored.get(id);
            Alarm current = e == null ? null : parse(e);
            if (current == null || !current.state().active()) {
                long held = hysteresis.heldFor(id, nowMillis);
                if (held >= settings.raiseDelay().toMillis()) {
                    writes.add(put(id, Alarm.raised(hit, now.minusMillis(held), now), e == null ? Cdb.ABSENT : e.version()));
                }
            } else if (nowMillis - current.lastSeen().toEpochMilli() >= settings.lastSeenRefresh().toMillis() || current.severity() != hit.severity()) {
                writes.add(put(id, current.seen(hit, now), e.version()));
            }
        });
        stored.forEach((id, e) -> {
            Alarm current = parse(e);
            if (current == null || holding.containsKey(id)) {
                return;
            }
            if (current.state().active()) {
                if (!observable(current, seen)) {
                    return;
                }
                if (hysteresis.absentFor(id, nowMillis) >= settings.clearDelay().toMillis()) {
                    writes.add(put(id, current.cleared(now), e.version()));
                }
            } else if (current.clearedAt() != null && nowMillis - current.clearedAt().toEpochMilli() >= settings.clearedRetention().toMillis()) {
                writes.add(cdb.deleteObject(key(id)));
            }
        });
        int done = 0;
        for (Uni<?> w : writes) {
            try {
                w.await().atMost(WRITE_TIMEOUT);
                done++;
            } catch (RuntimeException lost) {
                // a conflicting write (an ack) or a journal failure: the next round reads again and retries
                LOG.debugf("alarm write on node %s not done: %s", cdb.localNode(), lost.getMessage());
            }
        }
        return done;
    }

    /** Alarms about a node this monitor cannot see now are frozen, except the node's own reachability alarms. */
    private static boolean observable(Alarm a, Observations seen) {
        if (a.node() == null) {
            return true;
        }
        boolean reachability;
        try {
            reachability = Rule.parse(a.rule()).aboutReachability();
        } catch (IllegalArgumentException unknownRule) {
            reachability = false;
        }
        return reachability || HealthRules.observable(seen, a.node());
    }

    private Uni<?> put(String id, Alarm a, Version expected) {
        return cdb.putObject(key(id), null, a.toJson(), expected);
    }

    static ObjectKey key(String id) {
        return ObjectKey.of(ObjectType.ALARM, id);
    }

    private Alarm parse(ObjectEntry e) {
        try {
            return Alarm.fromJson(e.spec());
        } catch (IllegalArgumentException bad) {
            LOG.debugf("alarm/%s on node %s is not a valid alarm (%s); left as it is", e.id(), cdb.localNode(), bad.getMessage());
            return null;
        }
    }
}
