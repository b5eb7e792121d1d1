package dev.spool.examples;

import dev.spool.producer.Pipe;
import dev.spool.producer.Spool;
import dev.spool.producer.SpoolProcess;
import java.time.Duration;
import java.util.List;

/**
 * Example 4, {@code Pipe}: the parent sends ping, a child process answers pong, five times.
 *
 * <pre>
 * parent, child = Pipe()
 * # in the child: while (m := child.recv()) != "stop": child.send(m.replace("ping", "pong"))
 * </pre>
 */
public final class PipePingPong {
  private static final Duration WAIT = Duration.ofSeconds(30);

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("child")) {
      try (Spool spool = Spool.connect(Examples.config());
          Pipe<String> end = spool.pipe("example-4", String.class)) {
        String m;
        while (!(m = end.recv(WAIT)).equals("stop")) end.send(m.replace("ping", "pong"));
      }
      return;
    }
    try (Spool spool = Spool.connect(Examples.config());
        Pipe<String> end = spool.pipe("example-4", Pipe.End.A, String.class)) {
      SpoolProcess child = spool.process(PipePingPong.class, "child");
      for (int i = 0; i < 5; i++) {
        end.send("ping " + i);
        Examples.say("sent ping %d, got %s", i, end.recv(WAIT));
      }
      end.send("stop");
      Examples.joinAll(List.of(child));
      end.delete();
    }
  }
}
