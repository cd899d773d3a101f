package io.caravan.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.caravan.tenancy.TenantId;
import io.caravan.usage.UsagePeriod;
import io.caravan.usage.UsageReports;
import io.caravan.usage.UsageRow;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/usage}: the tenant's token usage in a range of days, per model or per day. */
@RestController
class UsageController {

    record UsageReportView(String tenant, LocalDate from, LocalDate to, List<UsageRowView> rows) {
    }

    /** API.md's usage row; {@code day} is present only when grouped by day. */
    record UsageRowView(String model, String provider, String kind,
                        @JsonInclude(JsonInclude.Include.NON_NULL) LocalDate day, long requests, long promptTokens,
                        long completionTokens, long embeddingTokens, long totalTokens) {
        static UsageRowView of(UsageRow row) {
            return new UsageRowView(row.model(), row.provider(), row.kind(), row.day(), row.requests(),
                    row.promptTokens(), row.completionTokens(), row.embeddingTokens(), row.totalTokens());
        }
    }

    private final UsageReports reports;
    private final Clock clock;

    UsageController(UsageReports reports, Clock clock) {
        this.reports = reports;
        this.clock = clock;
    }

    @GetMapping(path = "/api/v1/usage", produces = MediaType.APPLICATION_JSON_VALUE)
    UsageReportView usage(TenantId tenant, @RequestParam(name = "from", required = false) String from,
                          @RequestParam(name = "to", required = false) String to,
                          @RequestParam(name = "groupBy", defaultValue = "model") String groupBy) {
        UsagePeriod period = UsageParameters.period(from, to, clock);
        UsageReports.Grouping grouping;
        try {
            grouping = UsageReports.Grouping.fromWire(groupBy);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
        List<UsageRowView> rows = reports.forTenant(tenant, period, grouping).stream().map(UsageRowView::of).toList();
        return new UsageReportView(tenant.value(), period.from(), period.to(), rows);
    }
}
