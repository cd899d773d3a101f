package io.caravan.api;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.ModelAttribute;

/** Base of the admin controllers: the handler-level admin lock, behind the edge filter's check. */
abstract class AdminController {

    /** Second lock: runs before every admin handler and fails closed if the edge did not admit an admin. */
    @ModelAttribute
    void requireAdmin(HttpServletRequest request) {
        if (!Boolean.TRUE.equals(request.getAttribute(EdgeAuthenticationFilter.ADMIN_ATTRIBUTE))) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "the admin token is required");
        }
    }
}
