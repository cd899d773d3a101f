package io.caravan.usage;

import io.caravan.tenancy.TenantId;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code caravan usage}: a tenant's token usage from the ledger's daily rollups, printed as a table. */
@Command(name = "usage",
        description = "Prints a tenant's token usage (chat and embedding calls) per model or per day.",
        footer = {"", "Hub settings are Spring properties with dotted names and '=', as for the hub:",
                "  --caravan.data-dir=./data (or CARAVAN_DATA_DIR), --spring.datasource.url=...",
                "In the embedded mode stop the hub first: its database is locked while it runs."})
public class UsageCommand implements Callable<Integer> {

    private static final Pattern LAST = Pattern.compile("(\\d{1,3})([dw])");

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--tenant", required = true, paramLabel = "ID", description = "The tenant.")
    String tenant;

    @Option(names = "--last", paramLabel = "N{d|w}", defaultValue = "7d",
            description = "The last N days or weeks, today (UTC) included. Default: ${DEFAULT-VALUE}.")
    String last;

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First day (UTC); replaces --last.")
    LocalDate from;

    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Last day (UTC). Default: today.")
    LocalDate to;

    @Option(names = "--by", paramLabel = "model|day", defaultValue = "model",
            description = "One row per model, or per day and model. Default: ${DEFAULT-VALUE}.")
    String by;

    @Spec
    CommandSpec spec;

    private final Supplier<UsageReports> reports;
    private final Clock clock;

    /** {@code reports} is asked for only once the arguments are valid (the command line starts the database then). */
    public UsageCommand(Supplier<UsageReports> reports, Clock clock) {
        this.reports = reports;
        this.clock = clock;
    }

    @Override
    public Integer call() {
        if (!TenantId.isValid(tenant)) {
            throw new ParameterException(spec.commandLine(), "'" + tenant + "' is not a tenant id");
        }
        UsageReports.Grouping grouping = grouping();
        UsagePeriod period = period();
        List<UsageRow> rows = reports.get().ledgerOf(TenantId.of(tenant), period, grouping);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Usage of tenant " + tenant + " from " + period.from() + " to " + period.to() + " (UTC), by "
                + by);
        out.print(table(rows, grouping == UsageReports.Grouping.DAY));
        out.flush();
        return 0;
    }

    private UsageReports.Grouping grouping() {
        try {
            return UsageReports.Grouping.fromWire(by);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--by must be 'model' or 'day'");
        }
    }

    private UsagePeriod period() {
        LocalDate end = to != null ? to : LocalDate.now(clock);
        try {
            if (from != null) {
                return new UsagePeriod(from, end);
            }
            Matcher matcher = LAST.matcher(last);
            if (!matcher.matches()) {
                throw new IllegalArgumentException("--last must be a number of days or weeks, e.g. 7d or 2w");
            }
            int days = Integer.parseInt(matcher.group(1)) * ("w".equals(matcher.group(2)) ? 7 : 1);
            return UsagePeriod.lastDays(days, end);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Left-aligned names, right-aligned numbers, and a total line. */
    static String table(List<UsageRow> rows, boolean byDay) {
        List<String[]> lines = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("model", "provider", "kind", "requests", "prompt",
                "completion", "embedding", "total"));
        if (byDay) {
            header.add(0, "day");
        }
        lines.add(header.toArray(String[]::new));
        long[] sums = new long[5];
        for (UsageRow row : rows) {
            long[] values = {row.requests(), row.promptTokens(), row.completionTokens(), row.embeddingTokens(),
                    row.totalTokens()};
            List<String> cells = new ArrayList<>(List.of(row.model(), row.provider(), row.kind()));
            if (byDay) {
                cells.add(0, row.day().toString());
            }
            for (int i = 0; i < values.length; i++) {
                cells.add(Long.toString(values[i]));
                sums[i] += values[i];
            }
            lines.add(cells.toArray(String[]::new));
        }
        if (rows.isEmpty()) {
            return String.join("  ", header) + System.lineSeparator() + "(no usage in this period)"
                    + System.lineSeparator();
        }
        List<String> total = new ArrayList<>(List.of("total", "", ""));
        if (byDay) {
            total.add("");
        }
        for (long sum : sums) {
            total.add(Long.toString(sum));
        }
        lines.add(total.toArray(String[]::new));
        return format(lines, header.size() - 5);
    }

    private static String format(List<String[]> lines, int textColumns) {
        int[] widths = new int[lines.get(0).length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] line : lines) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                String pad = " ".repeat(widths[i] - line[i].length());
                text.append(i == 0 ? "" : "  ").append(i < textColumns ? line[i] + pad : pad + line[i]);
            }
            out.append(text.toString().stripTrailing()).append(System.lineSeparator());
        }
        return out.toString();
    }
}
