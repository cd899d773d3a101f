package io.caravan.api;

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

/** {@code GET /admin/v1/usage}: token usage across tenants, per tenant and model, for the operator. */
@RestController
class AdminUsageController extends AdminController {

    static final String BY_TENANT_AND_MODEL = "tenant,model";

    record AdminUsageReportView(LocalDate from, LocalDate to, List<AdminUsageRowView> rows) {
    }

    record AdminUsageRowView(String tenant, String model, String provider, String kind, long requests,
                             long promptTokens, long completionTokens, long embeddingTokens, long totalTokens) {
        static AdminUsageRowView of(UsageRow row) {
            return new AdminUsageRowView(row.tenant(), row.model(), row.provider(), row.kind(), row.requests(),
                    row.promptTokens(), row.completionTokens(), row.embeddingTokens(), row.totalTokens());
        }
    }

    private final UsageReports reports;
    private final Clock clock;

    AdminUsageController(UsageReports reports, Clock clock) {
        this.reports = reports;
        this.clock = clock;
    }

    @GetMapping(path = "/admin/v1/usage", produces = MediaType.APPLICATION_JSON_VALUE)
    AdminUsageReportView usage(@RequestParam(name = "from", required = false) String from,
                               @RequestParam(name = "to", required = false) String to,
                               @RequestParam(name = "groupBy", defaultValue = BY_TENANT_AND_MODEL) String groupBy) {
        if (!BY_TENANT_AND_MODEL.equals(groupBy)) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "groupBy must be 'tenant,model'");
        }
        UsagePeriod period = UsageParameters.period(from, to, clock);
        return new AdminUsageReportView(period.from(), period.to(),
                reports.acrossTenants(period).stream().map(AdminUsageRowView::of).toList());
    }
}
