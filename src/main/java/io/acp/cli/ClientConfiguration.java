package io.acp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The two settings a client command takes from the node's configuration, read without booting the
 * application: {@code acp.api.socket} (the default socket) and {@code acp.node.data-dir} (where the
 * admin key and the node's certificates are).
 *
 * <p>They are read from the sources the node's own configuration (SmallRye Config, as Quarkus sets
 * it up) has, with its precedence, but without building it: building one loads and links some 300
 * classes, a third of a client call's CPU time. Highest first: the files named by
 * {@code quarkus.config.locations} given as a system property (they rank as that property and
 * before it), system properties, the files named by {@code QUARKUS_CONFIG_LOCATIONS}, {@code ACP_…}
 * environment variables, {@code .env} and {@code config/application.properties} in the working
 * directory, the application's {@code application.properties}; then the defaults. A
 * {@code %prod.} key (the profile, {@code quarkus.profile}) beats the plain key of a source ranked
 * the same or lower; {@code ${name}} and {@code ${name:default}} are expanded. What this reader does
 * not do as SmallRye would (several locations, a directory or URL location, {@code config_ordinal},
 * several profiles, escaped or unresolvable expressions, an empty value) it refuses with
 * {@link Unsupported}, and the command then runs in the application, which reads it all
 * (ClientConfigurationTest compares both readers). The defaults are those of
 * {@link io.acp.api.ApiConfig#socket()} and {@link io.acp.node.NodeConfig#dataDir()}.
 */
final class ClientConfiguration {

    static final String SOCKET = "acp.api.socket";
    static final String SOCKET_DEFAULT = "/run/acp/api.sock";
    static final String DATA_DIR = "acp.node.data-dir";
    static final String DATA_DIR_DEFAULT = "/var/lib/acp";
    static final String LOCATIONS = "quarkus.config.locations";

    private static final int SYSTEM = 400;
    private static final int ENV = 300;
    private static final int DOT_ENV = 295;
    private static final int CONFIG_DIR = 260;
    private static final int APPLICATION = 250;

    /** A configuration this reader does not read as the node would: the application must read it. */
    static final class Unsupported extends RuntimeException {
        Unsupported(String why) {
            super(why);
        }
    }

    /** One source: its rank and how it looks a name up (null: not there). */
    private record Source(int ordinal, Map<String, String> values, boolean environment) {
        String get(String name) {
            if (!environment) {
                return values.get(name);
            }
            // as SmallRye's EnvConfigSource: the name, then with non-alphanumerics as '_', then upper case
            String value = values.get(name);
            String underscored = name.replaceAll("[^a-zA-Z0-9_]", "_");
            value = value != null ? value : values.get(underscored);
            return value != null ? value : values.get(underscored.toUpperCase(java.util.Locale.ROOT));
        }
    }

    private final List<Source> sources;
    private final String profile;

    private ClientConfiguration(List<Source> sources) {
        this.sources = sources;
        String p = plain("quarkus.profile");
        this.profile = p == null ? "prod" : expand(p, 0);
        if (profile.contains(",")) {
            throw new Unsupported("several profiles: " + profile);
        }
    }

    /** A connector with the configured socket and data directory. */
    static ApiConnector connector() {
        ClientConfiguration config = read();
        return new ApiConnector(Path.of(config.value(SOCKET, SOCKET_DEFAULT)), Path.of(config.value(DATA_DIR, DATA_DIR_DEFAULT)));
    }

    static ClientConfiguration read() {
        List<Source> sources = new ArrayList<>();
        Map<String, String> system = propertiesOf(System.getProperties());
        Map<String, String> env = System.getenv();
        if (system.containsKey(LOCATIONS)) {
            sources.add(location(system.get(LOCATIONS), SYSTEM));
        }
        sources.add(new Source(SYSTEM, system, false));
        if (!system.containsKey(LOCATIONS) && env.containsKey("QUARKUS_CONFIG_LOCATIONS")) {
            sources.add(location(env.get("QUARKUS_CONFIG_LOCATIONS"), ENV));
        }
        sources.add(new Source(ENV, env, true));
        Path dir = Path.of(System.getProperty("user.dir", "."));
        Map<String, String> dotEnv = file(dir.resolve(".env"));
        if (dotEnv != null) {
            sources.add(new Source(DOT_ENV, dotEnv, true));
        }
        Map<String, String> configDir = file(dir.resolve("config/application.properties"));
        if (configDir != null) {
            sources.add(new Source(CONFIG_DIR, configDir, false));
        }
        // The first on the class path only: the application's jar holds the one there is (no library
        // of the node ships one). Looking for all would open every jar of the client's class path,
        // Bouncy Castle's 7 MB too, which a call that does not use --agent never needs.
        URL url = ClientConfiguration.class.getClassLoader().getResource("application.properties");
        try {
            if (url != null) {
                try (InputStream in = url.openStream()) {
                    sources.add(new Source(APPLICATION, properties(in), false));
                }
            }
        } catch (IOException e) {
            throw new Unsupported("cannot read the application's application.properties: " + e.getMessage());
        }
        return new ClientConfiguration(sources);
    }

    /** The value of {@code name} in the profile, expanded; {@code defaultValue} when no source has it. */
    String value(String name, String defaultValue) {
        String value = lookUp(name, 0);
        if (value == null) {
            return defaultValue;
        }
        if (value.isEmpty()) {
            throw new Unsupported(name + " is empty");
        }
        return value;
    }

    private String lookUp(String name, int depth) {
        Found profiled = first("%" + profile + "." + name);
        Found plain = first(name);
        // as SmallRye's ProfileConfigSourceInterceptor: the profile's key unless the plain one ranks higher
        Found chosen = profiled != null && (plain == null || profiled.ordinal >= plain.ordinal) ? profiled : plain;
        return chosen == null ? null : expand(chosen.value, depth);
    }

    private String plain(String name) {
        Found f = first(name);
        return f == null ? null : f.value;
    }

    private record Found(String value, int ordinal) {
    }

    private Found first(String name) {
        for (Source s : sources) {
            String v = s.get(name);
            if (v != null) {
                return new Found(v, s.ordinal);
            }
        }
        return null;
    }

    /** {@code ${name}} and {@code ${name:default}}, innermost first, as SmallRye expands them. */
    private String expand(String value, int depth) {
        if (depth > 32) {
            throw new Unsupported("expressions nested too deep in " + value);
        }
        if (value.contains("$${") || value.contains("\\$")) {
            throw new Unsupported("an escaped expression in " + value);
        }
        String result = value;
        int end;
        while ((end = result.indexOf('}')) >= 0) {
            int start = result.lastIndexOf("${", end);
            if (start < 0) {
                break;
            }
            String inner = result.substring(start + 2, end);
            int colon = inner.indexOf(':');
            String name = colon < 0 ? inner : inner.substring(0, colon);
            String found = lookUp(name, depth + 1);
            if (found == null || found.isEmpty()) {
                if (colon < 0) {
                    throw new Unsupported("no value for the expression ${" + inner + "}");
                }
                found = inner.substring(colon + 1);
            }
            result = result.substring(0, start) + found + result.substring(end + 1);
        }
        if (result.contains("${")) {
            throw new Unsupported("an expression this reader does not expand: " + value);
        }
        return result;
    }

    /** The one file of a {@code quarkus.config.locations} value, ranked as the source that named it. */
    private static Source location(String value, int ordinal) {
        String path = value.trim();
        if (path.startsWith("file:")) {
            path = path.substring("file:".length());
        }
        if (path.isEmpty() || path.contains(",") || path.contains(":") || Files.isDirectory(Path.of(path))) {
            throw new Unsupported(LOCATIONS + " is not one file: " + value);
        }
        Map<String, String> values = file(Path.of(path));
        return new Source(ordinal, values == null ? Map.of() : values, false);
    }

    /** The file's properties, or null if there is none. */
    private static Map<String, String> file(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return properties(in);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new Unsupported("cannot read " + path + ": " + e.getMessage());
        }
    }

    private static Map<String, String> properties(InputStream in) throws IOException {
        Properties p = new Properties();
        try (Reader r = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> values = propertiesOf(p);
        for (String key : values.keySet()) {
            if (key.equals("config_ordinal") || key.startsWith("%") && key.indexOf(',') >= 0 && key.indexOf(',') < key.indexOf('.')) {
                throw new Unsupported("a source with " + key);
            }
        }
        return values;
    }

    private static Map<String, String> propertiesOf(Properties p) {
        Map<String, String> values = new java.util.HashMap<>();
        for (String name : p.stringPropertyNames()) {
            values.put(name, p.getProperty(name));
        }
        return values;
    }
}
