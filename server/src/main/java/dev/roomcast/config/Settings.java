package dev.roomcast.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every setting, read once from the {@link Setting} declarations of the groups that make up a
 * {@link RoomcastConfig}, in declaration order; and the one way a config is put together from
 * values, so that flags, environment, file and the builder are checked alike.
 *
 * <p>To add a setting: add a component with {@link Setting} (flag, default, bounds, help) to the
 * record of its group, read it where it is used ({@code config.limits().maxRoomsPerConnection()}),
 * and give {@link RoomcastConfig.Builder} a one-line setter if code or tests set it. The flag, the
 * environment variable, the file key, {@code --help} and {@code --print-config} follow from the
 * declaration; SettingsDocsTest and ExampleConfigTest then print the row README.md and
 * docs/operations.md need and fail until conf/roomcast.example.yml has the new lines.
 *
 * <p>Threading: thread-safe (immutable after class initialisation).
 */
public final class Settings {

    private static final List<SettingSpec> ALL = declared();

    private Settings() {
    }

    public static List<SettingSpec> all() {
        return ALL;
    }

    /** The groups of the config file, in order: {@code network}, {@code limits}, … */
    public static List<String> groups() {
        return groupComponents().stream().map(RecordComponent::getName).toList();
    }

    /** The config's components that are groups of settings: all but {@link Namespaces}, which has its own section. */
    private static List<RecordComponent> groupComponents() {
        return Arrays.stream(RoomcastConfig.class.getRecordComponents())
                .filter(component -> component.getType() != Namespaces.class).toList();
    }

    public static SettingSpec byFlag(String flag) {
        return ALL.stream().filter(spec -> spec.flag().equals(flag)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no setting has the flag " + flag));
    }

    /**
     * Builds the config from {@code values} (typed, by setting; missing ones take their default),
     * checking every value's range and every group's rules. A refusal names the setting where
     * {@code where} says its value came from.
     */
    static RoomcastConfig assemble(Map<SettingSpec, Object> values, Namespaces namespaces,
                                   Function<SettingSpec, String> where) {
        List<Object> groups = new ArrayList<>();
        for (RecordComponent group : groupComponents()) {
            List<Object> args = new ArrayList<>();
            for (SettingSpec spec : ALL.stream().filter(spec -> spec.group().equals(group.getName())).toList()) {
                Object value = values.containsKey(spec) ? values.get(spec) : spec.defaultValue();
                try {
                    spec.checkRange(value);
                } catch (InvalidSetting refused) {
                    throw refused.from(where.apply(spec));
                }
                args.add(value);
            }
            groups.add(construct(group.getType(), args, where));
        }
        groups.add(namespaces);
        return (RoomcastConfig) construct(RoomcastConfig.class, groups, where);
    }

    private static Object construct(Class<?> record, List<Object> args, Function<SettingSpec, String> where) {
        Class<?>[] types = Arrays.stream(record.getRecordComponents()).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            Constructor<?> canonical = record.getDeclaredConstructor(types);
            return canonical.newInstance(args.toArray());
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof InvalidSetting refused) {
                throw refused.from(where.apply(byFlag(refused.flag())));
            }
            throw new IllegalStateException("cannot build " + record.getSimpleName(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + record.getSimpleName(), e);
        }
    }

    private static List<SettingSpec> declared() {
        List<SettingSpec> all = new ArrayList<>();
        for (RecordComponent group : groupComponents()) {
            for (RecordComponent component : group.getType().getRecordComponents()) {
                all.add(specOf(group, component));
            }
        }
        return List.copyOf(all);
    }

    private static SettingSpec specOf(RecordComponent group, RecordComponent component) {
        Setting declared = component.getAnnotation(Setting.class);
        if (declared == null) {
            throw new IllegalStateException(group.getType().getSimpleName() + "." + component.getName() + " lacks @Setting");
        }
        return new SettingSpec(group.getName(), component, declared);
    }
}
