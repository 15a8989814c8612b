package dev.roomcast.cli;

import picocli.CommandLine;

/** Reads the version from the jar manifest, so there is one version number: the pom's. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {"roomcast " + (version == null ? "(development build)" : version)};
    }
}
