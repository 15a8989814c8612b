package dev.roomcast.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Resolves every setting from its sources, the first that gives a value winning: the flag, then
 * its environment variable, then the config file ({@code --config FILE} or
 * {@code ROOMCAST_CONFIG}), then the default. An empty flag or variable gives no value. A refused
 * value is one {@link InvalidSetting} line naming the flag, the variable or the file and key it
 * came from.
 *
 * <p>Threading: stateless; safe from any thread.
 */
public final class ConfigLoader {

    /** The flag naming the config file. */
    public static final String CONFIG_FLAG = "--config";
    /** The environment variable naming the config file when the flag is not given. */
    public static final String CONFIG_VARIABLE = "ROOMCAST_CONFIG";

    private ConfigLoader() {
    }

    /**
     * @param flags        the text of each setting flag given, by flag ({@code --port} → {@code 9000}),
     *                     and {@value #CONFIG_FLAG} if given
     * @param environment  the process environment
     */
    public static RoomcastConfig load(Map<String, String> flags, Map<String, String> environment) {
        Path file = configFile(flags, environment);
        ConfigFile.Contents contents = file == null ? ConfigFile.Contents.EMPTY : ConfigFile.read(file);
        Map<SettingSpec, Object> fromFile = contents.values();
        Map<SettingSpec, Object> values = new HashMap<>();
        Map<SettingSpec, String> origins = new HashMap<>();
        for (SettingSpec spec : Settings.all()) {
            String flag = flags.get(spec.flag());
            String variableName = spec.environmentVariables().stream()
                    .filter(name -> environment.get(name) != null && !environment.get(name).isBlank())
                    .findFirst().orElse(null);
            String origin;
            Object value;
            if (flag != null && !flag.isBlank()) {
                origin = spec.flag();
                value = parse(spec, flag, origin);
            } else if (variableName != null) {
                origin = variableName;
                value = parse(spec, environment.get(variableName), origin);
            } else if (fromFile.containsKey(spec)) {
                origin = ConfigFile.where(file, spec);
                value = fromFile.get(spec);
            } else {
                continue;
            }
            values.put(spec, value);
            origins.put(spec, origin);
        }
        return Settings.assemble(values, contents.namespaces(), spec -> origins.getOrDefault(spec, spec.flag()));
    }

    private static Path configFile(Map<String, String> flags, Map<String, String> environment) {
        String flag = flags.get(CONFIG_FLAG);
        String variable = environment.get(CONFIG_VARIABLE);
        String named = flag != null && !flag.isBlank() ? flag : variable;
        return named == null || named.isBlank() ? null : Path.of(named.strip());
    }

    private static Object parse(SettingSpec spec, String text, String origin) {
        try {
            return spec.parse(text);
        } catch (InvalidSetting refused) {
            throw refused.from(origin);
        }
    }
}
