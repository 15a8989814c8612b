package dev.roomcast.cli;

import java.time.Duration;
import picocli.CommandLine;

/** Parses durations written as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h} or a bare number of seconds. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long amount = Long.parseLong(v.replaceAll("[smh]$", ""));
            return switch (v.charAt(v.length() - 1)) {
                case 'h' -> Duration.ofHours(amount);
                case 'm' -> Duration.ofMinutes(amount);
                default -> Duration.ofSeconds(amount);
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (try 10s, 500ms, 5m)");
        }
    }
}
