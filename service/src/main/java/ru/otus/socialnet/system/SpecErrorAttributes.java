package ru.otus.socialnet.system;

import java.util.Map;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.DefaultErrorAttributes;
import org.springframework.boot.web.error.ErrorAttributeOptions;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;

/**
 * The body of errors that never reach a controller, rendered by Spring Boot's {@code /error}
 * (a TRACE refused by the container, a {@code sendError} from a filter): Boot's fields plus the
 * spec's {@code message}, {@code request_id} and {@code code}, like every other error answer.
 */
@Component
class SpecErrorAttributes extends DefaultErrorAttributes {

    @Override
    public Map<String, Object> getErrorAttributes(WebRequest webRequest, ErrorAttributeOptions options) {
        Map<String, Object> attributes = super.getErrorAttributes(webRequest, options);
        int status = attributes.get("status") instanceof Integer s ? s : 500;
        ApiError error = ApiError.forStatus(status);
        Object containerMessage = webRequest.getAttribute(RequestDispatcher.ERROR_MESSAGE, RequestAttributes.SCOPE_REQUEST);
        String message = status < 500 && containerMessage instanceof String m && !m.isBlank() ? m
                : String.valueOf(attributes.getOrDefault("error", "error"));
        HttpServletRequest request = webRequest instanceof ServletWebRequest swr ? swr.getRequest() : null;
        attributes.put("message", message);
        attributes.put("request_id", request != null ? RequestIdFilter.currentId(request) : null);
        attributes.put("code", error.code());
        return attributes;
    }
}
