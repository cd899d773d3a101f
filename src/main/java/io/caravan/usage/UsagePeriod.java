package io.caravan.usage;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/** An inclusive range of UTC days a usage report covers; at most {@link #MAX_DAYS} long. */
public record UsagePeriod(LocalDate from, LocalDate to) {

    /** A year (leap years included): beyond it a per-day report stops being a report. */
    public static final int MAX_DAYS = 366;

    public UsagePeriod {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("'to' (" + to + ") is before 'from' (" + from + ")");
        }
        if (ChronoUnit.DAYS.between(from, to) + 1 > MAX_DAYS) {
            throw new IllegalArgumentException("a usage report covers at most " + MAX_DAYS + " days");
        }
    }

    /** The {@code days} days ending with {@code today}, today included. */
    public static UsagePeriod lastDays(int days, LocalDate today) {
        if (days < 1) {
            throw new IllegalArgumentException("a usage report covers at least one day");
        }
        return new UsagePeriod(today.minusDays(days - 1L), today);
    }
}
