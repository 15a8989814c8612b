package dev.roomcast.cli;

import dev.roomcast.config.SettingSpec;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Parses {@code bench} durations the way settings are written: {@code 500ms}, {@code 10s},
 * {@code 5m}, {@code 1h} or a bare number of seconds.
 *
 * <p>Threading: stateless.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return SettingSpec.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
