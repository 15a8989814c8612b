package dev.roomcast.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.roomcast.config.Observability.LogFormat;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code --log-format} to the stderr appender that logback.xml declares: text stays as
 * configured there; JSON swaps its encoder for Logback's own {@link JsonEncoder}, one object per line.
 *
 * <p>Threading: call once, at start-up, before the node logs anything.
 */
final class LogFormats {

    /** The appender's name in logback.xml. */
    private static final String APPENDER = "STDERR";

    private LogFormats() {
    }

    static void apply(LogFormat format) {
        if (format != LogFormat.JSON) {
            return;
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        @SuppressWarnings("unchecked")
        OutputStreamAppender<ILoggingEvent> appender = (OutputStreamAppender<ILoggingEvent>) root.getAppender(APPENDER);
        JsonEncoder json = new JsonEncoder();
        json.setContext(context);
        // The message with its arguments filled in, not the pattern and the arguments apart: what a reader searches for.
        json.setWithMessage(false);
        json.setWithArguments(false);
        json.setWithFormattedMessage(true);
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithContext(false);
        json.start();
        appender.stop();
        appender.setEncoder(json);
        appender.start();
    }
}
