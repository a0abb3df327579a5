package io.quarkus.smallrye.openapi.runtime;

import io.quarkus.arc.Unremovable;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.quarkus.smallrye.openapi.runtime.filter.AutoSecurityFilter;
import io.smallrye.openapi.runtime.io.Format;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the OpenAPI document (ACP's REST API description, served by the {@code webapi} listener at
 * {@code /api/v1/openapi}) on its first request instead of at every start. Quarkus 3.33 parses,
 * filters and serializes the build-time document while the application boots, whether or not a
 * listener will ever serve it (quarkusio/quarkus#54826): about a quarter of the main thread's boot
 * and some 400 classes (SmallRye OpenAPI, SnakeYAML, Jandex) on every {@code acp node run}, and the
 * default services open no HTTP listener at all. Quarkus 3.34+ defers it itself when no
 * {@code RUNTIME_STARTUP} filter exists (quarkusio/quarkus#55538; ACP has none): delete this class
 * after that upgrade.
 *
 * <p>It lives in Quarkus' package because {@code prepareDocument}, which Quarkus' recorder calls at
 * boot, is package-private; the recorder looks the service up by type, so this alternative is the
 * one it calls. The document is the same: the very same preparation runs, only later, once, on
 * the first request's worker thread (Quarkus registers the route as blocking: no event loop waits).
 * Overriding a package-private method needs this class and Quarkus' in one class loader, as in the
 * packaged application (what {@code acp node run} and the ITs run: RestRoutingIT fetches the
 * document); {@code @QuarkusTest} and dev mode load the application apart from the extensions, so
 * there Quarkus' own service builds the document at boot as before.
 */
@IfBuildProfile("prod")
@Alternative
// Quarkus looks the service up by type at boot, which ArC cannot see: keep the bean.
@Unremovable
@Priority(1)
@ApplicationScoped
public class DeferredOpenApiDocumentService extends OpenApiDocumentService {

    /** Document preparations Quarkus asked for at boot, run on the first request (then empty). */
    private final List<Runnable> pending = new ArrayList<>();

    @Override
    synchronized void prepareDocument(AutoSecurityFilter autoSecurityFilter,
            Map<OpenApiFilter.RunStage, List<String>> filtersByStage, String documentName) {
        // The preparation finds the document and the filters through the boot thread's class loader.
        ClassLoader bootLoader = Thread.currentThread().getContextClassLoader();
        pending.add(() -> {
            Thread current = Thread.currentThread();
            ClassLoader previous = current.getContextClassLoader();
            current.setContextClassLoader(bootLoader);
            try {
                super.prepareDocument(autoSecurityFilter, filtersByStage, documentName);
            } finally {
                current.setContextClassLoader(previous);
            }
        });
    }

    @Override
    public byte[] getDocument(String documentName, Format format) {
        synchronized (this) {
            pending.forEach(Runnable::run);
            pending.clear();
        }
        return super.getDocument(documentName, format);
    }
}
