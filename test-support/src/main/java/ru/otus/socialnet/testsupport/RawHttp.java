package ru.otus.socialnet.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP/1.1 over a plain socket, byte for byte as written: the bodies, request lines and headers a
 * careful tester sends and a well-behaved client library would refuse to (invalid
 * percent-encoding, raw non-ASCII bytes in the path, an overlong UTF-8 body, a missing Host).
 * Every request closes its connection, so a response ends where the stream ends.
 */
public final class RawHttp {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final int port;

    public RawHttp(int port) {
        this.port = port;
    }

    /** A request under construction: method, target (path and query, sent as is), headers, body. */
    public static final class Request {
        final String method;
        final byte[] target;
        final Map<String, String> headers = new LinkedHashMap<>();
        byte[] body;
        boolean host = true;

        Request(String method, byte[] target) {
            this.method = method;
            this.target = target;
        }

        public Request header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Request json(String text) {
            return header("Content-Type", "application/json").body(text.getBytes(StandardCharsets.UTF_8));
        }

        public Request body(byte[] bytes) {
            this.body = bytes;
            return this;
        }

        public Request withoutHost() {
            host = false;
            return this;
        }

        /** A copy with every {@code placeholder} in the target, headers and body replaced by {@code value}. */
        public Request substitute(String placeholder, String value) {
            Request copy = new Request(method, replace(target, placeholder.getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8)));
            headers.forEach((k, v) -> copy.headers.put(k, v.replace(placeholder, value)));
            copy.body = body == null ? null : replace(body, placeholder.getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8));
            copy.host = host;
            return copy;
        }

        private static byte[] replace(byte[] data, byte[] from, byte[] to) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length);
            int at = 0;
            for (int hit; (hit = indexOf(data, from, at)) >= 0; at = hit + from.length) {
                out.write(data, at, hit - at);
                out.writeBytes(to);
            }
            out.write(data, at, data.length - at);
            return out.toByteArray();
        }

        public String method() {
            return method;
        }

        /** The target as a string (bytes above 0x7F shown as ISO-8859-1, as they were sent). */
        public String target() {
            return new String(target, StandardCharsets.ISO_8859_1);
        }

        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes((method + " ").getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(target);
            StringBuilder head = new StringBuilder(" HTTP/1.1\r\n");
            if (host) {
                head.append("Host: 127.0.0.1\r\n");
            }
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (body != null && headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("Content-Length")
                    || k.equalsIgnoreCase("Transfer-Encoding"))) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.writeBytes(body);
            }
            return out.toByteArray();
        }
    }

    public static Request request(String method, String target) {
        return new Request(method, target.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A request whose target holds raw bytes (not percent-encoded). */
    public static Request request(String method, byte[] target) {
        return new Request(method, target);
    }

    /** What came back: status, headers (names lower-cased), body, and the body as JSON when it is. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The body parsed as JSON, or null when it is not JSON. */
        public JsonNode json() {
            String type = header("Content-Type");
            if (type == null || !type.contains("json") || body.length == 0) {
                return null;
            }
            try {
                return JSON.readTree(body);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    /** Sends the request; fails the test when the answer contradicts the published description. */
    public Response send(Request request) {
        Response response = sendUnchecked(request);
        ApiContract.of("http://127.0.0.1:" + port).check(request.method, request.target(), response.status(),
                response.headers(), response.text());
        return response;
    }

    /** Sends the request, and only that. */
    public Response sendUnchecked(Request request) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.bytes());
            out.flush();
            return parse(readAll(socket.getInputStream()));
        } catch (IOException e) {
            throw new IllegalStateException(request.method + " " + request.target() + ": " + e, e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("no complete response in 30 s; got: "
                    + new String(out.toByteArray(), StandardCharsets.ISO_8859_1), e);
        } catch (IOException e) {
            // a server that answered and then reset the connection (it did not read the whole body)
            if (out.size() == 0) {
                throw e;
            }
        }
        return out.toByteArray();
    }

    static Response parse(byte[] raw) {
        int headEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
        if (headEnd < 0) {
            throw new IllegalStateException("not an HTTP response: " + new String(raw, StandardCharsets.ISO_8859_1));
        }
        String[] lines = new String(raw, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, headEnd + 4, raw.length);
        List<String> encoding = headers.get("transfer-encoding");
        if (encoding != null && encoding.get(0).equalsIgnoreCase("chunked")) {
            body = dechunk(body);
        }
        return new Response(status, headers, body);
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < chunked.length) {
            int lineEnd = indexOf(chunked, new byte[] {'\r', '\n'}, pos);
            String sizeText = new String(chunked, pos, lineEnd - pos, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int size = Integer.parseInt(sizeText, 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, size);
            pos = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
