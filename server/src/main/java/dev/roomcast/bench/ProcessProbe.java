package dev.roomcast.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's CPU time and resident memory from {@code /proc} (Linux), and this
 * process's own CPU time from the JVM. Immutable; every read is a fresh look.
 */
final class ProcessProbe {

    /** Clock ticks per second of {@code /proc/PID/stat}; 100 on every Linux this runs on (USER_HZ). */
    private static final double TICKS_PER_SECOND = 100.0;
    /** Bytes per page of {@code /proc/PID/statm}; 4 KiB on the x86-64 and arm64 Linux this runs on. */
    private static final long PAGE_BYTES = 4096;

    private final long pid;

    ProcessProbe(long pid) {
        this.pid = pid;
    }

    /** A probe of the server process, or null when its pid was not given. */
    static ProcessProbe ofServer(long pid) {
        return pid > 0 ? new ProcessProbe(pid) : null;
    }

    long pid() {
        return pid;
    }

    /** User plus system CPU seconds the process has used so far. */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(fields[11]);
            long stime = Long.parseLong(fields[12]);
            return (utime + stime) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read CPU time of process " + pid + ": " + e.getMessage(), e);
        }
    }

    /** Resident set size in bytes: the second field of {@code /proc/PID/statm}, in pages. */
    long rssBytes() {
        try {
            String statm = Files.readString(Path.of("/proc/" + pid + "/statm"));
            int start = statm.indexOf(' ') + 1;
            return Long.parseLong(statm, start, statm.indexOf(' ', start), 10) * PAGE_BYTES;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read memory of process " + pid + ": " + e.getMessage(), e);
        }
    }

    /** CPU seconds this JVM has used so far, all threads. */
    static double ownCpuSeconds() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return new ProcessProbe(ProcessHandle.current().pid()).cpuSeconds();
    }
}
