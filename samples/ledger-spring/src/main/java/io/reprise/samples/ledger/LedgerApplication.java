package io.reprise.samples.ledger;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The ledger service: accounts with whole-number balances, kept in memory, and transfers between them that are
 * refused when they would overdraw. Run it with the agent:
 *
 * <pre>
 * java -javaagent:agent/target/reprise-agent.jar -Dreprise.dir=DIR -jar samples/ledger-spring/target/ledger-sample.jar --server.port=PORT
 * </pre>
 */
@SpringBootApplication
public class LedgerApplication {

    public static void main(String[] args) {
        SpringApplication.run(LedgerApplication.class, args);
    }
}
