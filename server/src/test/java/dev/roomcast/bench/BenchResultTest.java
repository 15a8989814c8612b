package dev.roomcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A run's figures as one JSON line for scripts and as a table for people, with the same decimals. */
class BenchResultTest {

    @Test
    void jsonIsOneLineInInsertionOrderWithThreeDecimalsAndEscapedText() {
        BenchResult result = new BenchResult().put("scenario", "echo \"fast\"\nnext\u0001").put("clients", 100)
                .put("bytes", 5_000_000_000L).put("p99_ms", 1.23456).put("idle", Double.NaN).put("ok", true);

        assertThat(result.toJson()).isEqualTo("{\"scenario\":\"echo \\\"fast\\\"\\nnext\\u0001\",\"clients\":100,"
                + "\"bytes\":5000000000,\"p99_ms\":1.235,\"idle\":null,\"ok\":true}");
        assertThat(result.toTable()).contains("  p99_ms    1.235").contains("  idle      null");
    }
}
