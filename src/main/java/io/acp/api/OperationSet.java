package io.acp.api;

import java.util.List;

/**
 * One capability's contribution to the protocol: the services (each with its operations) it
 * offers. Every set is a CDI bean; {@link ApiService} collects them all with {@code @All}, which
 * ArC resolves at build time (no reflection, no classpath scanning at run time, the same in a
 * native image), so offering operations touches no constructor that takes every service. A
 * service offered by two sets fails the API's construction, naming both ({@link OperationCatalogue}).
 */
public interface OperationSet {

    /** The services this set offers, built once when the API is constructed, with what the API lends them. */
    List<ServiceOperations> operations(ApiContext api);
}
