package dev.spool.testing.services;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks the Docker engine, over its Unix socket, whether it answers and whether an image can be had
 * (present, or pulled within a few seconds), before Testcontainers is touched: where no registry
 * answers, Testcontainers would retry a pull for minutes. Returns reasons, not booleans, so the
 * fixture can say what it found.
 */
final class DockerProbe {
  /** How long a pull may take before the image counts as unavailable. */
  static final Duration PULL_WAIT = Duration.ofSeconds(8);

  private final Path socket;

  DockerProbe(Path socket) {
    this.socket = socket;
  }

  /** The engine of {@code DOCKER_HOST} when it is a unix:// address, else the default socket. */
  static DockerProbe fromEnvironment(java.util.Map<String, String> env) {
    String host = env.get("DOCKER_HOST");
    if (host != null && host.startsWith("unix://")) {
      return new DockerProbe(Path.of(host.substring("unix://".length())));
    }
    return new DockerProbe(Path.of("/var/run/docker.sock"));
  }

  /** Null when the engine answers a ping, else why not. */
  String engineProblem() {
    if (!Files.exists(socket)) return "no Docker engine (no socket at " + socket + ")";
    try {
      Response r = request("GET", "/_ping", Duration.ofSeconds(3));
      return r.status == 200 ? null : "the Docker engine answered its ping with " + r.status;
    } catch (IOException | TimeoutException e) {
      return "the Docker engine at " + socket + " does not answer (" + e + ")";
    }
  }

  /** Null when {@code image} is present or could be pulled within {@link #PULL_WAIT}. */
  String imageProblem(String image) {
    try {
      String path = "/images/" + image + "/json";
      if (request("GET", path, Duration.ofSeconds(5)).status == 200) return null;
      int colon = image.lastIndexOf(':');
      boolean tagged = colon > image.lastIndexOf('/');
      String from = tagged ? image.substring(0, colon) : image;
      String tag = tagged ? image.substring(colon + 1) : "latest";
      Response pull =
          request(
              "POST",
              "/images/create?fromImage="
                  + URLEncoder.encode(from, StandardCharsets.UTF_8)
                  + "&tag="
                  + URLEncoder.encode(tag, StandardCharsets.UTF_8),
              PULL_WAIT);
      if (request("GET", path, Duration.ofSeconds(5)).status == 200) return null;
      String body = pull.body.strip();
      String last = body.contains("\n") ? body.substring(body.lastIndexOf('\n') + 1) : body;
      return "image " + image + " is not here and could not be pulled: " + last;
    } catch (TimeoutException e) {
      return "image "
          + image
          + " is not here and no registry delivered it within "
          + PULL_WAIT.toSeconds()
          + " s";
    } catch (IOException e) {
      return "cannot ask the Docker engine about " + image + " (" + e + ")";
    }
  }

  private record Response(int status, String body) {}

  private Response request(String method, String path, Duration wait)
      throws IOException, TimeoutException {
    ExecutorService io =
        Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("spool-docker-probe").unstarted(r));
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      Future<Response> f =
          io.submit(
              () -> {
                ch.connect(UnixDomainSocketAddress.of(socket));
                String head =
                    method + " " + path + " HTTP/1.0\r\nHost: docker\r\nContent-Length: 0\r\n\r\n";
                ch.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(8192);
                while (ch.read(buf) >= 0) {
                  out.write(buf.array(), 0, buf.position());
                  buf.clear();
                }
                String text = out.toString(StandardCharsets.UTF_8);
                int status = Integer.parseInt(text.substring(9, 12));
                int bodyAt = text.indexOf("\r\n\r\n");
                return new Response(status, bodyAt < 0 ? "" : text.substring(bodyAt + 4));
              });
      try {
        return f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IOException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      } finally {
        f.cancel(true);
      }
    } finally {
      io.shutdownNow();
    }
  }
}
