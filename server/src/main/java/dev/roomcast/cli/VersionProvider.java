package dev.roomcast.cli;

import dev.roomcast.metrics.BuildInfo;
import picocli.CommandLine;

/** Reads the version from the jar manifest, so there is one version number: the pom's. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"roomcast " + BuildInfo.version()};
    }
}
