package lacme.webserver;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Builds the few responses the webserver ever sends: always HTTP/1.1, always
 * {@code Connection: close} and an exact {@code Content-Length}; a body only for a 200 to
 * a GET. The content type is lacme 0.8.2's ({@code application/jose+json}); CAs ignore it.
 */
final class Responses {
    /** What lacme 0.8.2's webserver sends with a challenge file. */
    static final String CONTENT_TYPE = "application/jose+json";

    private Responses() {
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }

    /**
     * The response; {@code body} is the file for a 200 (its length is announced even
     * for HEAD, as RFC 9110 allows), null otherwise.
     */
    static ByteBuffer build(int status, byte[] body, boolean head) {
        StringBuilder h = new StringBuilder(160);
        h.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        h.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME
                .format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
        if (status == 405) {
            h.append("Allow: GET, HEAD\r\n");
        }
        if (body != null) {
            h.append("Content-Type: ").append(CONTENT_TYPE).append("\r\n");
        }
        h.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
        h.append("Connection: close\r\n\r\n");
        byte[] hb = h.toString().getBytes(StandardCharsets.US_ASCII);
        int n = body == null || head ? 0 : body.length;
        ByteBuffer out = ByteBuffer.allocate(hb.length + n).put(hb);
        if (n > 0) {
            out.put(body);
        }
        return out.flip();
    }
}
