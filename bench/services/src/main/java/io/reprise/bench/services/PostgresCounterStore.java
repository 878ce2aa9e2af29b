package io.reprise.bench.services;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The counter as one row: one {@code UPDATE ... RETURNING} per increment, in its own transaction (auto-commit), so
 * every increment is a commit that waits for the WAL flush when the server runs with {@code synchronous_commit=on}
 * (the checkpoint/restore research stored each request in PostgreSQL the same way).
 */
final class PostgresCounterStore implements CounterStore {

    private static final String INCREMENT = "UPDATE counter SET value = value + 1 WHERE id = 1 RETURNING value";
    private static final String SET = "UPDATE counter SET value = ? WHERE id = 1 RETURNING value";
    private static final String GET = "SELECT value FROM counter WHERE id = 1";

    private final HikariDataSource pool;

    /**
     * @param connections pool size. One per HTTP worker thread, for the same reason as for Redis: a worker holds a
     *                    connection for one statement and nothing else, so the pool never makes a worker wait that the
     *                    database would not. (HikariCP's rule of thumb of about twice the cores is for mixed
     *                    workloads; here every increment updates the same row, so the row lock, not the pool, is
     *                    what serialises them, and a smaller pool would only add a second queue in front of it.)
     */
    PostgresCounterStore(String jdbcUrl, String user, int connections) throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setMaximumPoolSize(connections);
        config.setMinimumIdle(connections);
        config.setAutoCommit(true);
        config.setPoolName("counter");
        pool = new HikariDataSource(config);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS counter (id integer PRIMARY KEY, value bigint NOT NULL)");
            s.execute("INSERT INTO counter VALUES (1, 0) ON CONFLICT (id) DO NOTHING");
        }
    }

    @Override
    public long increment() throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(INCREMENT)) {
            return single(s);
        }
    }

    @Override
    public long set(long value) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(SET)) {
            s.setLong(1, value);
            return single(s);
        }
    }

    @Override
    public long get() throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(GET)) {
            return single(s);
        }
    }

    private static long single(PreparedStatement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                throw new SQLException("the counter row (id 1) is missing");
            }
            return rows.getLong(1);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
