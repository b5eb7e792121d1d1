import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Moves a freshly built runnable jar into place in one rename ({@code java ReplaceFile.java NEW
 * JAR}).
 *
 * <p>Why: the shade plugin writes its jar by truncating the file and writing it again. A consumer
 * started from the old jar keeps that file open and loads classes from it as it first needs them,
 * so a build beside it (a launcher rebuilds the jars when a source is newer) made every task it ran
 * next fail with {@code NoClassDefFoundError}, until each was dead-lettered. Written beside and
 * renamed over it, the old jar stays whole for the processes that have it open; new ones start
 * from the new jar.
 */
public final class ReplaceFile {
  public static void main(String[] args) throws IOException {
    Path from = Path.of(args[0]);
    Path to = Path.of(args[1]);
    if (!Files.exists(from)) {
      System.out.println("[replace-file] no " + from + ": nothing to do");
      return;
    }
    Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
