package dev.roomcast.config;

/**
 * A setting whose value is refused, as one line: where the value came from (a flag, an environment
 * variable, a key of a config file) and what is wrong with it. Configuration errors exit with 2.
 *
 * <p>Threading: immutable.
 */
public final class InvalidSetting extends IllegalArgumentException {

    private final String flag;
    private final String problem;

    /**
     * {@code flag} names the setting, and where its value came from is added by {@link #from}; a
     * problem with a whole config file (not YAML, unreadable) names the file instead.
     */
    public InvalidSetting(String flag, String problem) {
        this(flag, flag, problem);
    }

    private InvalidSetting(String flag, String where, String problem) {
        super(where + ": " + problem);
        this.flag = flag;
        this.problem = problem;
    }

    /** The same problem, located at {@code where}: {@code ROOMCAST_PORT}, {@code roomcast.yml: network.port}. */
    InvalidSetting from(String where) {
        return new InvalidSetting(flag, where, problem);
    }

    /** The flag of the setting at fault. */
    String flag() {
        return flag;
    }
}
