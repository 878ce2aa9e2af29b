package io.reprise.samples.ledger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /accounts} {"id":"alice","balance":100} (or the same as an HTML form, with an optional owner),
 * {@code PUT} or {@code PATCH /accounts/{id}/owner} (a form with {@code owner}, or {"owner":"..."}), {@code POST /transfers} {"from":"alice","to":"bob","amount":5}
 * (409 when it would overdraw), {@code GET /accounts/{id}} {"id":"alice","balance":95}, {@code GET /accounts}.
 * Nothing here knows about Reprise.
 */
@RestController
public class LedgerController {

    public record NewAccount(String id, Long balance, String owner) {
    }

    public record Owner(String owner) {
    }

    public record Transfer(String from, String to, Long amount) {
    }

    private final Ledger ledger;

    public LedgerController(Ledger ledger) {
        this.ledger = ledger;
    }

    @PostMapping(path = "/accounts", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Object> open(@RequestBody NewAccount account) {
        if (account.id() == null || account.id().isBlank() || account.balance() == null || account.balance() < 0) {
            return error(HttpStatus.BAD_REQUEST, "an account needs an id and a balance of at least 0");
        }
        if (!ledger.open(account.id(), account.balance(), account.owner())) {
            return error(HttpStatus.CONFLICT, "account " + account.id() + " exists");
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(ledger.account(account.id()));
    }

    @PostMapping(path = "/accounts", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    public ResponseEntity<Object> openFromForm(@RequestParam("id") String id, @RequestParam("balance") long balance,
                                               @RequestParam(name = "owner", required = false) String owner) {
        return open(new NewAccount(id, balance, owner));
    }

    @RequestMapping(path = "/accounts/{id}/owner", method = {RequestMethod.PUT, RequestMethod.PATCH},
            consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    public ResponseEntity<Object> ownerFromForm(@PathVariable("id") String id, @RequestParam("owner") String owner) {
        return owner(id, new Owner(owner));
    }

    @RequestMapping(path = "/accounts/{id}/owner", method = {RequestMethod.PUT, RequestMethod.PATCH},
            consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Object> owner(@PathVariable("id") String id, @RequestBody Owner owner) {
        if (owner.owner() == null) {
            return error(HttpStatus.BAD_REQUEST, "owner is missing");
        }
        return ledger.owner(id, owner.owner()) ? ResponseEntity.ok(ledger.account(id)) : error(HttpStatus.NOT_FOUND, "no such account");
    }

    @PostMapping("/transfers")
    public ResponseEntity<Object> transfer(@RequestBody Transfer transfer) {
        if (transfer.from() == null || transfer.to() == null || transfer.amount() == null || transfer.amount() <= 0) {
            return error(HttpStatus.BAD_REQUEST, "a transfer needs from, to and an amount of at least 1");
        }
        return switch (ledger.transfer(transfer.from(), transfer.to(), transfer.amount())) {
            case DONE -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("from", ledger.account(transfer.from()));
                body.put("to", ledger.account(transfer.to()));
                yield ResponseEntity.ok(body);
            }
            case NO_SUCH_ACCOUNT -> error(HttpStatus.NOT_FOUND, "no such account");
            case INSUFFICIENT_FUNDS -> error(HttpStatus.CONFLICT, "insufficient funds in " + transfer.from());
        };
    }

    @GetMapping("/accounts/{id}")
    public ResponseEntity<Object> account(@PathVariable("id") String id) {
        Ledger.Account account = ledger.account(id);
        return account == null ? error(HttpStatus.NOT_FOUND, "no such account") : ResponseEntity.ok(account);
    }

    @GetMapping("/accounts")
    public List<Ledger.Account> accounts() {
        return ledger.accounts();
    }

    private static ResponseEntity<Object> error(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(Map.of("error", message));
    }
}
