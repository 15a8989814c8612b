package dev.roomcast.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares one setting on a component of a settings group ({@link Network}, {@link Limits}, …):
 * everything else about it (the environment variable, the key in the config file, the
 * {@code --help} line, the rows of the docs' tables) is derived from this, so each setting and its
 * default are written once.
 *
 * <p>Threading: an annotation; read once by {@link Settings}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Setting {

    /** The command-line flag, such as {@code --max-message-bytes}; its environment variable is {@code ROOMCAST_MAX_MESSAGE_BYTES}. */
    String flag();

    /** The default, written as on the command line ({@code 65536}, {@code 10s}); empty means unset. */
    String defaultValue() default "";

    /** The smallest value allowed, written as on the command line; empty means no bound. */
    String min() default "";

    /** The largest value allowed, written as on the command line; empty means no bound. */
    String max() default "";

    /** One or two sentences for {@code --help}, the docs and the example file. */
    String help();

    /**
     * Former flags of this setting, still accepted with their environment variables and file keys, so
     * deployments written for an older release keep working; {@code --help} and the docs name them.
     */
    String[] aliases() default {};

    /** Whether {@code --print-config} hides the value (keys, passwords). */
    boolean secret() default false;
}
