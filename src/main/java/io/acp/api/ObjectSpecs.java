package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.hypervisor.SystemSpec;
import io.acp.hypervisor.TemplateRecord;
import io.acp.model.ObjectKey;
import io.acp.network.NetworkSpec;
import io.acp.storage.pool.PoolSpec;
import io.acp.storage.share.ShareSpec;

/**
 * The spec a {@code cluster.put} stores, checked as the service that acts on it checks it:
 * a system's as {@code hypervisor.create} does, a network's as {@code network.create}, a storage
 * pool's and a share's as {@code storage.pool.create} and {@code storage.share.add}, a template's
 * record as one {@code template create} could have written ({@link TemplateRecord}). Put is how every
 * transport replaces an object (the CLI's {@code acp put}, REST's {@code PUT /api/v1/systems/ID}), and
 * those services parse the stored spec again at every stop, start, migration, evacuation and
 * reconcile: a spec they refuse, once stored, would leave the object beyond their reach (a running
 * system that can no longer be stopped) until someone put a valid one back. The other types either
 * have no schema of their own (alarms, a node's published address) or are
 * written by the nodes themselves (devices, services, security records).
 */
final class ObjectSpecs {

    private ObjectSpecs() {
    }

    /** BAD_REQUEST naming the object and the field, as the owning service words it, unless {@code spec} is one it accepts. */
    static void check(ObjectKey key, String subtype, JsonNode spec) {
        switch (key.type()) {
            case SYSTEM -> SystemSpec.parse(key.id(), spec);
            case NETWORK -> NetworkSpec.parse(key.id(), subtype, spec);
            case TEMPLATE -> TemplateRecord.check(key.id(), spec);
            case STORAGE -> {
                if ("pool".equals(subtype)) {
                    PoolSpec.parse(key.id(), spec);
                } else if ("share".equals(subtype)) {
                    ShareSpec.parse(key.id(), spec);
                }
            }
            default -> {
            }
        }
    }
}
