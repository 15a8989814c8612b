package dev.roomcast.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.security.ConnectionLimits.Admission;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {

    @Test
    void eachAddressHasItsOwnCap() {
        ConnectionLimits limits = new ConnectionLimits(100, 2);
        assertThat(limits.tryAdmit("10.0.0.1")).isEqualTo(Admission.ADMITTED);
        assertThat(limits.tryAdmit("10.0.0.1")).isEqualTo(Admission.ADMITTED);
        assertThat(limits.tryAdmit("10.0.0.1")).isEqualTo(Admission.TOO_MANY_FROM_ADDRESS);
        assertThat(limits.tryAdmit("10.0.0.2")).isEqualTo(Admission.ADMITTED);
        assertThat(limits.total()).isEqualTo(3);
        limits.release("10.0.0.1");
        assertThat(limits.tryAdmit("10.0.0.1")).isEqualTo(Admission.ADMITTED);
    }

    @Test
    void theNodeCapCountsEveryAddress() {
        ConnectionLimits limits = new ConnectionLimits(2, 0);
        assertThat(limits.tryAdmit("a")).isEqualTo(Admission.ADMITTED);
        assertThat(limits.tryAdmit("b")).isEqualTo(Admission.ADMITTED);
        assertThat(limits.tryAdmit("c")).isEqualTo(Admission.AT_CAPACITY);
        limits.release("a");
        assertThat(limits.tryAdmit("c")).isEqualTo(Admission.ADMITTED);
    }

    @Test
    void concurrentUpgradesNeverOvershoot() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(1000, 50);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Admission>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                results.add(pool.submit(() -> limits.tryAdmit("same")));
            }
            long admitted = 0;
            for (Future<Admission> result : results) {
                admitted += result.get() == Admission.ADMITTED ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(50);
            assertThat(limits.total()).isEqualTo(50);
        } finally {
            pool.shutdownNow();
        }
    }
}
