package io.reprise.samples.ledger;

import io.reprise.snapshot.SnapshotProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.springframework.stereotype.Component;

/**
 * The state: account balances, in memory. Every operation is deterministic given the order in which it is
 * applied, which is what Reprise's replay relies on. Transfers do not commute: whether one is refused depends on
 * those applied before it.
 */
@Component
public class Ledger {

    /** An account; {@code owner} is optional free text (any language) and left out of JSON when unset. */
    public record Account(String id, long balance, @JsonInclude(JsonInclude.Include.NON_NULL) String owner) {
    }

    public enum Outcome { DONE, NO_SUCH_ACCOUNT, INSUFFICIENT_FUNDS }

    private final Map<String, Long> balances = new TreeMap<>();
    private final Map<String, String> owners = new TreeMap<>();

    /** Opens an account; false if one with this id exists. */
    public synchronized boolean open(String id, long balance, String owner) {
        if (balances.putIfAbsent(id, balance) != null) {
            return false;
        }
        if (owner != null) {
            owners.put(id, owner);
        }
        return true;
    }

    /** Sets the owner of an account; false if there is no such account. */
    public synchronized boolean owner(String id, String owner) {
        if (!balances.containsKey(id)) {
            return false;
        }
        owners.put(id, owner);
        return true;
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
        return balance == null ? null : new Account(id, balance, owners.get(id));
    }

    public synchronized List<Account> accounts() {
        List<Account> all = new ArrayList<>(balances.size());
        balances.forEach((id, balance) -> all.add(new Account(id, balance, owners.get(id))));
        return all;
    }

    /** One line per account: id, balance and owner, URL-encoded and separated by tabs (the owner may be empty). */
    synchronized void save(OutputStream out) throws IOException {
        write(balances, owners, out);
    }

    /**
     * The ledger as it is now, for a snapshot written while transfers go on: copies of the two maps (a copy of
     * references, no encoding), written by {@link SnapshotProvider.Frozen#writeTo} exactly as {@link #save} writes.
     */
    synchronized SnapshotProvider.Frozen capture() {
        Map<String, Long> balancesNow = new TreeMap<>(balances);
        Map<String, String> ownersNow = new TreeMap<>(owners);
        return out -> write(balancesNow, ownersNow, out);
    }

    private static void write(Map<String, Long> balances, Map<String, String> owners, OutputStream out)
            throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        for (Map.Entry<String, Long> e : balances.entrySet()) {
            String owner = owners.get(e.getKey());
            w.write(encode(e.getKey()) + "\t" + e.getValue() + "\t" + (owner == null ? "" : "=" + encode(owner)) + "\n");
        }
        w.flush();
    }

    synchronized void restore(InputStream in) throws IOException {
        Map<String, Long> restoredBalances = new TreeMap<>();
        Map<String, String> restoredOwners = new TreeMap<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            String[] fields = line.split("\t", -1);
            String id = decode(fields[0]);
            restoredBalances.put(id, Long.parseLong(fields[1]));
            if (fields[2].startsWith("=")) {
                restoredOwners.put(id, decode(fields[2].substring(1)));
            }
        }
        balances.clear();
        balances.putAll(restoredBalances);
        owners.clear();
        owners.putAll(restoredOwners);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
