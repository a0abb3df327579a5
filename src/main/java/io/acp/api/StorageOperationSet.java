package io.acp.api;

import io.acp.storage.Storage;
import io.acp.storage.StorageService;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.function.Supplier;

/** The storage service's operations ({@code storage}: pools, volumes, shares, devices). */
@Singleton
public final class StorageOperationSet implements OperationSet {

    private final Supplier<Storage> storage;

    @Inject
    StorageOperationSet(StorageService service) {
        this(service::storage);
    }

    StorageOperationSet(Supplier<Storage> storage) {
        this.storage = storage;
    }

    @Override
    public List<ServiceOperations> operations(ApiContext api) {
        return List.of(new StorageOperations(storage));
    }
}
