package io.caravan.api;

import io.caravan.ingest.DocumentNotFoundException;
import io.caravan.ingest.DocumentRegistry;
import io.caravan.ingest.DocumentStatus;
import io.caravan.ingest.IntakeResult;
import io.caravan.ingest.NewDocument;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.camel.ProducerTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** {@code /api/v1/documents}: add (JSON or upload), read, list and delete the tenant's documents. */
@RestController
@RequestMapping(path = "/api/v1/documents", produces = MediaType.APPLICATION_JSON_VALUE)
class DocumentController {

    static final int MAX_TITLE = 1000;
    static final int MAX_URI = 2000;

    private final ProducerTemplate camel;
    private final DocumentRegistry documents;

    DocumentController(ProducerTemplate camel, DocumentRegistry documents) {
        this.camel = camel;
        this.documents = documents;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Dtos.DocumentAccepted> addJson(TenantId tenant, @RequestBody Dtos.DocumentRequest request) {
        require(request.title(), "title");
        require(request.text(), "text");
        check(request.title(), "title", MAX_TITLE);
        check(request.sourceUri(), "sourceUri", MAX_URI);
        return ingest(tenant, new NewDocument(request.title(), request.text().getBytes(StandardCharsets.UTF_8),
                "text/plain", "upload", request.sourceUri(), null));
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<Dtos.DocumentAccepted> upload(TenantId tenant, @RequestPart("file") MultipartFile file,
                                                 @RequestParam(name = "title", required = false) String title,
                                                 @RequestParam(name = "sourceUri", required = false) String sourceUri)
            throws IOException {
        check(title, "title", MAX_TITLE);
        check(sourceUri, "sourceUri", MAX_URI);
        String fileName = file.getOriginalFilename() == null ? "upload" : file.getOriginalFilename();
        return ingest(tenant, new NewDocument(title, file.getBytes(), contentType(fileName, file.getContentType()),
                "upload", sourceUri, fileName));
    }

    @GetMapping("/{documentId}")
    Dtos.DocumentView get(TenantId tenant, @PathVariable("documentId") String documentId) {
        return documents.find(tenant, documentId).map(Dtos.DocumentView::of)
                .orElseThrow(() -> new DocumentNotFoundException(documentId));
    }

    @GetMapping
    Dtos.Page<Dtos.DocumentView> list(TenantId tenant,
                                      @RequestParam(name = "status", required = false) String status,
                                      @RequestParam(name = "limit", defaultValue = "50") int limit,
                                      @RequestParam(name = "cursor", required = false) String cursor) {
        if (limit < 1 || limit > 500) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "limit must be between 1 and 500");
        }
        DocumentStatus filter = null;
        if (status != null && !status.isBlank()) {
            try {
                filter = DocumentStatus.fromWire(status);
            } catch (IllegalArgumentException e) {
                throw new ApiException(ErrorCode.INVALID_REQUEST,
                        "status must be one of queued, indexed, quarantined, deleted, duplicate");
            }
        }
        List<Dtos.DocumentView> items = documents.list(tenant, filter, limit, cursor).stream()
                .map(Dtos.DocumentView::of).toList();
        String next = items.size() == limit ? items.get(items.size() - 1).documentId() : null;
        return new Dtos.Page<>(items, next);
    }

    @DeleteMapping("/{documentId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(TenantId tenant, @PathVariable("documentId") String documentId) {
        camel.requestBodyAndHeaders("direct:delete-document", documentId, TenantHeader.headers(tenant));
    }

    private ResponseEntity<Dtos.DocumentAccepted> ingest(TenantId tenant, NewDocument document) {
        IntakeResult result = camel.requestBodyAndHeaders("direct:ingest-document", document,
                TenantHeader.headers(tenant), IntakeResult.class);
        HttpStatus status = result.queued() ? HttpStatus.ACCEPTED : HttpStatus.OK;
        return ResponseEntity.status(status)
                .body(new Dtos.DocumentAccepted(result.documentId(), result.status().wire()));
    }

    /** The declared type of an upload, from its part header or its file name; the intake decides support. */
    static String contentType(String fileName, String declared) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".md") || name.endsWith(".markdown")) {
            return "text/markdown";
        }
        if (name.endsWith(".txt") || name.endsWith(".text") || name.endsWith(".log")) {
            return "text/plain";
        }
        if (name.endsWith(".html") || name.endsWith(".htm")) {
            return "text/html";
        }
        if (name.endsWith(".pdf")) {
            return "application/pdf";
        }
        if (name.endsWith(".docx")) {
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        }
        if (declared == null || declared.isBlank()) {
            return "application/octet-stream";
        }
        return MediaType.parseMediaType(declared).getType() + "/" + MediaType.parseMediaType(declared).getSubtype();
    }

    private static void require(String value, String field) {
        if (value == null) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "field '" + field + "' is required");
        }
    }

    private static void check(String value, String field, int max) {
        if (value != null && value.length() > max) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, field + " is longer than " + max + " characters");
        }
    }
}
