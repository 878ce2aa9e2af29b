package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** The ledger sample's API, and the load the ledger tests put on it. */
final class LedgerClient {

    static final String[] ACCOUNTS = {"alice", "bob", "carol", "dave"};
    static final long OPENING_BALANCE = 50;

    private LedgerClient() {
    }

    static void open(int port, String id, long balance) throws Exception {
        HttpResponse<String> r = Http.json(port, "POST", "/accounts", "{\"id\":\"" + id + "\",\"balance\":" + balance + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    /** The transfer's status: 200 done, 409 refused because it would overdraw. */
    static int transfer(int port, String from, String to, long amount) throws Exception {
        HttpResponse<String> r = Http.json(port, "POST", "/transfers",
                "{\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"amount\":" + amount + "}");
        if (r.statusCode() != 200 && r.statusCode() != 409) {
            throw new IllegalStateException("transfer answered " + r.statusCode() + ": " + r.body());
        }
        return r.statusCode();
    }

    static String accounts(int port) throws Exception {
        HttpResponse<String> r = Http.send(port, "GET", "/accounts", null);
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    static void openAll(int port) throws Exception {
        for (String id : ACCOUNTS) {
            open(port, id, OPENING_BALANCE);
        }
    }

    /**
     * {@code clients} threads sending random transfers between the accounts until {@code duration} is over (at most
     * 100,000 each). Balances are small, so many transfers compete for the same money and some are refused: the
     * outcome depends on the order they are applied in. Returns {done, refused}.
     */
    static long[] competingTransfers(int port, int clients, Duration duration) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<long[]>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            results.add(pool.submit(() -> {
                long done = 0;
                long refused = 0;
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < 100_000 && !stop.get(); i++) {
                    int from = random.nextInt(ACCOUNTS.length);
                    int to = (from + 1 + random.nextInt(ACCOUNTS.length - 1)) % ACCOUNTS.length;
                    if (transfer(port, ACCOUNTS[from], ACCOUNTS[to], 1 + random.nextInt(30)) == 200) {
                        done++;
                    } else {
                        refused++;
                    }
                }
                return new long[] {done, refused};
            }));
        }
        try {
            Thread.sleep(duration.toMillis());
        } finally {
            stop.set(true);
            pool.shutdown();
        }
        long[] total = new long[2];
        for (Future<long[]> f : results) {
            long[] r = f.get(60, TimeUnit.SECONDS);
            total[0] += r[0];
            total[1] += r[1];
        }
        pool.awaitTermination(10, TimeUnit.SECONDS);
        return total;
    }

    /** The sum of all balances in an {@code GET /accounts} answer. */
    static long total(String accountsJson) {
        long sum = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"balance\":(\\d+)").matcher(accountsJson);
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }
}
