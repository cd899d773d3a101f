package io.caravan.api;

import io.caravan.usage.UsagePeriod;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** The {@code from}/{@code to} query parameters of the usage reports: inclusive UTC days, last 7 by default. */
final class UsageParameters {

    static final int DEFAULT_DAYS = 7;
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private UsageParameters() {
    }

    /** {@code to} defaults to today (UTC), {@code from} to six days before {@code to}; 400 when invalid. */
    static UsagePeriod period(String from, String to, Clock clock) {
        LocalDate end = isAbsent(to) ? LocalDate.now(clock) : date(to, "to");
        LocalDate start = isAbsent(from) ? end.minusDays(DEFAULT_DAYS - 1L) : date(from, "from");
        try {
            return new UsagePeriod(start, end);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
    }

    private static boolean isAbsent(String value) {
        return value == null || value.isEmpty();
    }

    private static LocalDate date(String value, String name) {
        if (DATE.matcher(value).matches()) {
            try {
                return LocalDate.parse(value);
            } catch (DateTimeParseException e) {
                // not a calendar date (2024-02-30): reported below
            }
        }
        throw new ApiException(ErrorCode.INVALID_REQUEST, "'" + name + "' must be a date YYYY-MM-DD");
    }
}
