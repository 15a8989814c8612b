package dev.roomcast.metrics;

/**
 * This build's version, for {@code --version}, the start-up line, the admin page and
 * {@code roomcast_build_info}: one version number, the pom's, read from the jar's manifest.
 *
 * <p>Threading: stateless.
 */
public final class BuildInfo {

    private BuildInfo() {
    }

    /** The version in the jar's manifest (the pom's), or "development" when run from classes. */
    public static String version() {
        String version = BuildInfo.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }
}
