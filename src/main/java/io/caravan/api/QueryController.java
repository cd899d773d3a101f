package io.caravan.api;

import io.caravan.query.QueryAnswer;
import io.caravan.query.Question;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import java.util.Set;
import org.apache.camel.ProducerTemplate;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/v1/query}: validates the question and hands it to the query route. */
@RestController
class QueryController {

    static final Set<String> CRITICALITIES = Set.of("internal-test", "standard", "critical");
    static final int MAX_QUESTION = 4000;
    static final int MAX_TOP_K = 50;

    private final ProducerTemplate camel;
    private final TenantRegistry tenants;

    QueryController(ProducerTemplate camel, TenantRegistry tenants) {
        this.camel = camel;
        this.tenants = tenants;
    }

    @PostMapping(path = "/api/v1/query", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    QueryAnswer query(TenantId tenant, @RequestBody Dtos.QueryRequest request) {
        if (request.question() == null || request.question().isBlank()) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "field 'question' is required");
        }
        if (request.question().length() > MAX_QUESTION) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "question is longer than " + MAX_QUESTION + " characters");
        }
        int topK = request.topK() == null ? 5 : request.topK();
        if (topK < 1 || topK > MAX_TOP_K) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "topK must be between 1 and " + MAX_TOP_K);
        }
        String criticality = request.criticality();
        if (criticality == null) {
            String configured = tenants.require(tenant).config().routing().defaultCriticality();
            criticality = configured == null ? "standard" : configured;
        } else if (!CRITICALITIES.contains(criticality)) {
            throw new ApiException(ErrorCode.INVALID_REQUEST,
                    "criticality must be one of internal-test, standard, critical");
        }
        return camel.requestBodyAndHeaders("direct:query", new Question(request.question().strip(), topK, criticality),
                TenantHeader.headers(tenant), QueryAnswer.class);
    }
}
