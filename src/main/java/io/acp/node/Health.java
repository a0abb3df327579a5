package io.acp.node;

/** Result of a health check; {@code detail} says what is wrong in words an operator can act on. */
public record Health(boolean healthy, String detail) {

    public static final Health OK = new Health(true, "ok");

    public static Health unhealthy(String detail) {
        return new Health(false, detail);
    }
}
