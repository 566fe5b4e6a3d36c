package io.distillguard.gateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client would send (invalid UTF-8, lying lengths,
 * chunked uploads, clients that hang up). Every read has a timeout, so a gateway that never answers fails the test
 * instead of hanging it.
 */
public final class RawHttp implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** A parsed response. Header names are lower-cased. */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + text(), e);
      }
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  public RawHttp(int port, Duration timeout) {
    try {
      socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends one complete request and reads the response. */
  public static Response exchange(int port, byte[] request) {
    try (RawHttp raw = new RawHttp(port, Duration.ofSeconds(10))) {
      raw.write(request);
      return raw.readResponse();
    }
  }

  /** A request with the given head lines (CRLF added) and a body sent with Content-Length. */
  public static byte[] request(String method, String path, byte[] body, String... headers) {
    StringBuilder sb = new StringBuilder();
    sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    sb.append("Host: 127.0.0.1\r\n");
    for (String h : headers) {
      sb.append(h).append("\r\n");
    }
    if (body != null) {
      sb.append("Content-Length: ").append(body.length).append("\r\n");
    }
    sb.append("\r\n");
    byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    if (body == null) {
      return head;
    }
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }

  public void write(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void write(String ascii) {
    write(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Reads a status line and headers (an interim 1xx response included). */
  public Response readHead() {
    try {
      String statusLine = readLine();
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new AssertionError("not an HTTP status line: " + statusLine);
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = readLine(); !line.isEmpty(); line = readLine()) {
        int colon = line.indexOf(':');
        headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
            (a, b) -> a + ", " + b);
      }
      return new Response(Integer.parseInt(parts[1]), headers, new byte[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a whole final response: by Content-Length, chunked, or until the server closes. */
  public Response readResponse() {
    Response head = readHead();
    while (head.status() >= 100 && head.status() < 200) {
      head = readHead();
    }
    return new Response(head.status(), head.headers(), readBody(head));
  }

  /** Reads the body that belongs to a head read with {@link #readHead()}. */
  public byte[] readBody(Response head) {
    try {
      String te = head.header("transfer-encoding");
      String cl = head.header("content-length");
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
        while (true) {
          String sizeLine = readLine();
          int semi = sizeLine.indexOf(';');
          int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
          if (size == 0) {
            while (!readLine().isEmpty()) {
              // trailers
            }
            break;
          }
          body.write(in.readNBytes(size));
          readLine();
        }
      } else if (cl != null) {
        int n = Integer.parseInt(cl.trim());
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
          throw new AssertionError("body ended after " + b.length + " of " + n + " bytes");
        }
        body.write(b);
      } else {
        body.write(in.readAllBytes());
      }
      return body.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one chunk of a chunked body (its data), or null at the last chunk. */
  public byte[] readChunk() {
    try {
      String sizeLine = readLine();
      int size = Integer.parseInt(sizeLine.trim(), 16);
      if (size == 0) {
        return null;
      }
      byte[] data = in.readNBytes(size);
      readLine();
      return data;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        break;
      }
      line.write(b);
    }
    if (b < 0 && line.size() == 0) {
      throw new IOException("connection closed by the server");
    }
    String s = line.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
