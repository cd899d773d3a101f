package io.caravan.api;

import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.caravan.ingest.DocumentNotFoundException;
import io.caravan.ingest.RejectedDocumentException;
import io.caravan.llm.BudgetExhaustedException;
import io.caravan.llm.NoAnswerException;
import io.caravan.tenancy.InvalidTenantIdException;
import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantAlreadyExistsException;
import io.caravan.tenancy.TenantNotFoundException;
import io.caravan.vector.ChromaUnavailableException;
import org.apache.camel.CamelExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Maps every error to problem+json with a documented code; unexpected ones are logged, never echoed. */
@RestControllerAdvice
class ProblemAdvice {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e) {
        if (e instanceof RateLimitedException limited) {
            return ResponseEntity.status(e.code().status())
                    .header(org.springframework.http.HttpHeaders.RETRY_AFTER,
                            Long.toString(limited.retryAfterSeconds()))
                    .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                    .body(Problems.detail(e.code(), e.getMessage()));
        }
        return Problems.response(e.code(), e.getMessage());
    }

    @ExceptionHandler(MissingTenantException.class)
    ResponseEntity<ProblemDetail> missingTenant(MissingTenantException e) {
        return Problems.response(ErrorCode.TENANT_REQUIRED, "this call needs a tenant");
    }

    @ExceptionHandler(InvalidTenantIdException.class)
    ResponseEntity<ProblemDetail> invalidTenant(InvalidTenantIdException e) {
        return Problems.response(ErrorCode.INVALID_REQUEST, e.getMessage());
    }

    @ExceptionHandler(TenantNotFoundException.class)
    ResponseEntity<ProblemDetail> tenantNotFound(TenantNotFoundException e) {
        return Problems.response(ErrorCode.TENANT_NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler(TenantAlreadyExistsException.class)
    ResponseEntity<ProblemDetail> conflict(TenantAlreadyExistsException e) {
        return Problems.response(ErrorCode.CONFLICT, e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
        if (e.getCause() instanceof UnrecognizedPropertyException unknown) {
            return Problems.response(ErrorCode.INVALID_REQUEST,
                    "unknown field '" + unknown.getPropertyName() + "'");
        }
        return Problems.response(ErrorCode.INVALID_REQUEST, "the request body is not valid JSON for this call");
    }

    @ExceptionHandler({MissingServletRequestParameterException.class, MissingServletRequestPartException.class,
            MethodArgumentTypeMismatchException.class})
    ResponseEntity<ProblemDetail> badParameter(Exception e) {
        return Problems.response(ErrorCode.INVALID_REQUEST, e.getMessage());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ProblemDetail> mediaType(HttpMediaTypeNotSupportedException e) {
        return Problems.response(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "content type " + e.getContentType() + " is not supported here");
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ProblemDetail> notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return Problems.response(ErrorCode.INVALID_REQUEST, "responses are application/json");
    }

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<ProblemDetail> tooLarge(MaxUploadSizeExceededException e) {
        return Problems.response(ErrorCode.PAYLOAD_TOO_LARGE, "the upload exceeds the size limit");
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ProblemDetail> multipart(MultipartException e) {
        return Problems.response(ErrorCode.INVALID_REQUEST, "the multipart body cannot be read");
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ProblemDetail> noResource(NoResourceFoundException e) {
        return Problems.response(ErrorCode.NOT_FOUND, "no such endpoint");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ProblemDetail> method(HttpRequestMethodNotSupportedException e) {
        ProblemDetail problem = Problems.detail(ErrorCode.INVALID_REQUEST, e.getMessage());
        problem.setStatus(405);
        return ResponseEntity.status(405).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    @ExceptionHandler(CamelExecutionException.class)
    ResponseEntity<ProblemDetail> camel(CamelExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (cause instanceof ApiException api) {
            return api(api);
        }
        if (cause instanceof MissingTenantException missing) {
            return missingTenant(missing);
        }
        if (cause instanceof io.caravan.llm.ConcurrencyLimitException concurrency) {
            return concurrency(concurrency);
        }
        if (cause instanceof DocumentNotFoundException notFound) {
            return notFound(notFound);
        }
        if (cause instanceof TenantNotFoundException gone) {
            return tenantNotFound(gone);
        }
        if (cause instanceof RejectedDocumentException rejected) {
            return rejected(rejected);
        }
        if (cause instanceof BudgetExhaustedException exhausted) {
            return budgetExhausted(exhausted);
        }
        if (cause instanceof NoAnswerException noAnswer) {
            return noAnswer(noAnswer);
        }
        if (cause instanceof ChromaUnavailableException down) {
            return vectorStoreDown(down);
        }
        return unexpected(cause);
    }

    @ExceptionHandler(io.caravan.llm.ConcurrencyLimitException.class)
    ResponseEntity<ProblemDetail> concurrency(io.caravan.llm.ConcurrencyLimitException e) {
        return api(new RateLimitedException(1, e.getMessage()));
    }

    @ExceptionHandler(DocumentNotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(DocumentNotFoundException e) {
        return Problems.response(ErrorCode.NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler(RejectedDocumentException.class)
    ResponseEntity<ProblemDetail> rejected(RejectedDocumentException e) {
        ErrorCode code = switch (e.reason()) {
            case TOO_LARGE -> ErrorCode.PAYLOAD_TOO_LARGE;
            case UNSUPPORTED_TYPE -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case EMPTY, INVALID -> ErrorCode.INVALID_REQUEST;
        };
        return Problems.response(code, e.getMessage());
    }

    @ExceptionHandler(BudgetExhaustedException.class)
    ResponseEntity<ProblemDetail> budgetExhausted(BudgetExhaustedException e) {
        return Problems.response(ErrorCode.BUDGET_EXHAUSTED, "the tenant's daily LLM token budget is used up");
    }

    @ExceptionHandler(NoAnswerException.class)
    ResponseEntity<ProblemDetail> noAnswer(NoAnswerException e) {
        return Problems.response(ErrorCode.UPSTREAM_UNAVAILABLE, e.getMessage());
    }

    /** The tenant learns the store is down, not where it lives; the log keeps the server and the call. */
    @ExceptionHandler(ChromaUnavailableException.class)
    ResponseEntity<ProblemDetail> vectorStoreDown(ChromaUnavailableException e) {
        LOG.warn("Vector store unavailable: {}", e.getMessage());
        return Problems.response(ErrorCode.UPSTREAM_UNAVAILABLE, "the vector store is unavailable; retry later");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Throwable e) {
        LOG.error("Unexpected error while handling a request", e);
        return Problems.response(ErrorCode.INTERNAL, "an unexpected error occurred; it has been logged");
    }
}
