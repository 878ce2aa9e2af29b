package io.reprise.samples.ledger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * The state: account balances, in memory. Every operation is deterministic given the order in which it is
 * applied, which is what Reprise's replay relies on. Transfers do not commute: whether one is refused depends on
 * those applied before it.
 */
@Component
public class Ledger {

    public record Account(String id, long balance) {
    }

    public enum Outcome { DONE, NO_SUCH_ACCOUNT, INSUFFICIENT_FUNDS }

    private final Map<String, Long> balances = new TreeMap<>();

    /** Opens an account; false if one with this id exists. */
    public synchronized boolean open(String id, long balance) {
        return balances.putIfAbsent(id, balance) == null;
    }

    public synchronized Outcome transfer(String from, String to, long amount) {
        Long source = balances.get(from);
        Long target = balances.get(to);
        if (source == null || target == null) {
            return Outcome.NO_SUCH_ACCOUNT;
        }
        if (source < amount) {
            return Outcome.INSUFFICIENT_FUNDS;
        }
        balances.put(from, source - amount);
        balances.put(to, balances.get(to) + amount);
        return Outcome.DONE;
    }

    public synchronized Account account(String id) {
        Long balance = balances.get(id);
        return balance == null ? null : new Account(id, balance);
    }

    public synchronized List<Account> accounts() {
        List<Account> all = new ArrayList<>(balances.size());
        balances.forEach((id, balance) -> all.add(new Account(id, balance)));
        return all;
    }

    /** One line per account: the id, a tab, the balance. */
    synchronized void save(OutputStream out) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        for (Map.Entry<String, Long> e : balances.entrySet()) {
            w.write(e.getKey() + "\t" + e.getValue() + "\n");
        }
        w.flush();
    }

    synchronized void restore(InputStream in) throws IOException {
        Map<String, Long> restored = new TreeMap<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            int tab = line.lastIndexOf('\t');
            restored.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)));
        }
        balances.clear();
        balances.putAll(restored);
    }
}
