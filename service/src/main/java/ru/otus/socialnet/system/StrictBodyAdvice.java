package ru.otus.socialnet.system;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

/**
 * Every request body, before Jackson reads it: at most {@code socialnet.input.max-body-size}
 * bytes (413 beyond, without reading more), and well-formed in its charset (UTF-8 unless the
 * Content-Type says otherwise).
 *
 * <p>Why here: Jackson's UTF-8 decoder is lenient and has no switch to be otherwise. It decodes
 * the overlong form {@code C0 AF} as {@code /} and the encoded surrogate {@code ED A0 80} as a
 * lone surrogate, so once the body is parsed the damage cannot be seen any more. The JDK's
 * decoder with {@link CodingErrorAction#REPORT} refuses both (and every other malformed
 * sequence); this advice is Spring MVC's hook for looking at the bytes first.
 */
@ControllerAdvice
class StrictBodyAdvice extends RequestBodyAdviceAdapter {

    private final long maxBytes;

    StrictBodyAdvice(@Value("${socialnet.input.max-body-size:1MB}") DataSize maxBodySize) {
        this.maxBytes = maxBodySize.toBytes();
    }

    @Override
    public boolean supports(MethodParameter parameter, Type targetType,
                            Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public HttpInputMessage beforeBodyRead(HttpInputMessage input, MethodParameter parameter, Type targetType,
                                           Class<? extends HttpMessageConverter<?>> converterType) throws IOException {
        HttpHeaders headers = input.getHeaders();
        if (headers.getContentLength() > maxBytes) {
            throw tooLarge();
        }
        byte[] body = input.getBody().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (body.length > maxBytes) {
            throw tooLarge();
        }
        Charset charset = charsetOf(headers.getContentType());
        try {
            charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw new ApiException(ApiError.MALFORMED_BODY, "the request body is not valid " + charset.name()
                    + " (malformed or overlong byte sequence)");
        }
        return new HttpInputMessage() {
            @Override
            public InputStream getBody() {
                return new ByteArrayInputStream(body);
            }

            @Override
            public HttpHeaders getHeaders() {
                return headers;
            }
        };
    }

    private static Charset charsetOf(MediaType contentType) {
        Charset declared = contentType != null ? contentType.getCharset() : null;
        return declared != null ? declared : StandardCharsets.UTF_8;
    }

    private ApiException tooLarge() {
        return new ApiException(ApiError.CONTENT_TOO_LARGE, "the request body is larger than " + maxBytes + " bytes");
    }
}
