/**
 * The monitor: a health score, alarms and one primary per connected part of the cluster, from
 * nothing but the CDB (docs/monitoring.md). Never imports hypervisor, network or storage.
 *
 * <ul>
 *   <li>{@link io.acp.monitor.MonitorService}: the lifecycle and the one {@code acp-monitor} thread; start here.</li>
 *   <li>{@link io.acp.monitor.Monitor}: one round: observe, evaluate, elect, publish, keep alarms.</li>
 *   <li>{@link io.acp.monitor.CdbObservations} reads {@link io.acp.monitor.Observations} from the CDB;
 *       {@link io.acp.monitor.HealthRules} (pure) turns them into {@link io.acp.monitor.Hit}s, each a
 *       {@link io.acp.monitor.Rule} with its weight and severity; {@link io.acp.monitor.HealthReport} scores them.</li>
 *   <li>{@link io.acp.monitor.Hysteresis} and {@code AlarmKeeper}: when an {@link io.acp.monitor.Alarm} object is
 *       raised, refreshed, cleared, deleted.</li>
 *   <li>{@code election}: the primary election among monitors.</li>
 *   <li>{@link io.acp.monitor.MonitorQueries}: what the API answers (health, alarms, ack) on any node.</li>
 * </ul>
 */
package io.acp.monitor;
