package io.caravan.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine;

/** The {@code usage} command against the test database, its output captured. */
class UsageCommandTest extends HubTest {

    /** "Today" for the command: the events below are two and ten days before it. */
    private static final LocalDate TODAY = LocalDate.of(2024, 7, 10);
    private static final Clock CLOCK = Clock.fixed(TODAY.atTime(15, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

    @Autowired
    UsageLedger ledger;
    @Autowired
    UsageReports reports;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final AtomicInteger reportLookups = new AtomicInteger();

    @Test
    void printsTheTenantsUsagePerModelAsATable() {
        TenantId tenant = seededTenant();

        int exit = run("--tenant", tenant.value(), "--last", "7d", "--by", "model");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(
                "Usage of tenant " + tenant + " from 2024-07-04 to 2024-07-10 (UTC), by model",
                "model               provider    kind       requests  prompt  completion  embedding  total",
                "all-minilm-l6-v2-q  in-process  embedding         1       0           0         40     40",
                "gpt-4o-mini         openai      chat              2    1500         250          0   1750",
                "total                                             3    1500         250         40   1790");
    }

    @Test
    void printsPerDayRowsAndHonoursExplicitDates() {
        TenantId tenant = seededTenant();

        int exit = run("--tenant", tenant.value(), "--from", "2024-06-30", "--to", "2024-07-08", "--by", "day");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(
                "Usage of tenant " + tenant + " from 2024-06-30 to 2024-07-08 (UTC), by day",
                "day         model               provider    kind       requests  prompt  completion  embedding  total",
                "2024-06-30  gpt-4o-mini         openai      chat              1    9000           0          0   9000",
                "2024-07-08  all-minilm-l6-v2-q  in-process  embedding         1       0           0         40     40",
                "2024-07-08  gpt-4o-mini         openai      chat              2    1500         250          0   1750",
                "total                                                         4   10500         250         40  10790");
    }

    @Test
    void saysSoWhenThereIsNoUsage() {
        int exit = run("--tenant", newTenant("cli-empty"), "--last", "2w");

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("from 2024-06-27 to 2024-07-10").contains("(no usage in this period)");
    }

    @Test
    void badArgumentsExitWith2BeforeTouchingTheDatabase() {
        String[][] bad = {
                {}, {"--tenant", "Not Valid"}, {"--tenant", "acme", "--last", "7x"}, {"--tenant", "acme", "--last", "0d"},
                {"--tenant", "acme", "--by", "tenant"}, {"--tenant", "acme", "--from", "2024-02-30"},
                {"--tenant", "acme", "--from", "2024-07-10", "--to", "2024-07-01"}, {"--tenant", "acme", "--surprise"}};
        for (String[] args : bad) {
            StringWriter errors = new StringWriter();
            int exit = command(errors).execute(args);
            assertThat(exit).as(String.join(" ", args)).isEqualTo(2);
            assertThat(errors.toString()).as(String.join(" ", args)).isNotBlank().contains("Usage: usage");
        }
        assertThat(reportLookups).hasValue(0);
    }

    private TenantId seededTenant() {
        TenantId tenant = TenantId.of(newTenant("cli"));
        var twoDaysAgo = TODAY.minusDays(2).atTime(9, 30).toInstant(ZoneOffset.UTC);
        ledger.record(UsageEvent.chat(tenant, twoDaysAgo, "openai", "gpt-4o-mini", 1000, 200, "q1"));
        ledger.record(UsageEvent.chat(tenant, twoDaysAgo.plusSeconds(5), "openai", "gpt-4o-mini", 500, 50, "q2"));
        ledger.record(UsageEvent.embedding(tenant, twoDaysAgo, "in-process", "all-minilm-l6-v2-q", 40, "doc_1"));
        // outside the last seven days
        ledger.record(UsageEvent.chat(tenant, TODAY.minusDays(10).atStartOfDay().toInstant(ZoneOffset.UTC), "openai",
                "gpt-4o-mini", 9000, 0, "q0"));
        return tenant;
    }

    private int run(String... args) {
        return command(err).execute(args);
    }

    private CommandLine command(StringWriter errors) {
        CommandLine command = new CommandLine(new UsageCommand(() -> {
            reportLookups.incrementAndGet();
            return reports;
        }, CLOCK));
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(errors, true));
        return command;
    }
}
