import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Rewrites the Java 5 class files of a runnable jar as Java 8 ones with stack maps, the same code.
 *
 * <p>picocli ships Java 5 class files (version 49). The JVM checks those with its old verifier,
 * which infers types method by method: about 250 ms of every command's start here, before the
 * command does anything. It cannot keep them in an ahead-of-time cache either. With stack maps the
 * JVM checks them as it checks every other class, in a few ms, and the cache keeps them.
 *
 * <p>Run by the build after the runnable jar is written ({@code java UpgradeClassFiles.java JAR}),
 * on JDK 24 or newer (the class-file API); on an older JDK the jar keeps picocli as it ships. A
 * class that cannot be rewritten is left as it was, with a warning.
 */
public final class UpgradeClassFiles {
  public static void main(String[] args) throws IOException {
    Path jar = Path.of(args[0]);
    if (!Files.exists(jar)) {
      System.out.println("[upgrade-class-files] no " + jar + ": nothing to do");
      return;
    }
    try (FileSystem fs = FileSystems.newFileSystem(jar)) {
      List<Path> old;
      try (Stream<Path> all = Files.walk(fs.getPath("/"))) {
        old = all.filter(p -> p.toString().endsWith(".class")).filter(UpgradeClassFiles::isOld).toList();
      }
      ClassHierarchyResolver inJar =
          ClassHierarchyResolver.ofResourceParsing(
              desc -> {
                Path p = fs.getPath("/" + desc.descriptorString().replaceAll("^L|;$", "") + ".class");
                try {
                  return Files.exists(p) ? Files.newInputStream(p) : (InputStream) null;
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      ClassFile cf =
          ClassFile.of(
              ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
              ClassFile.ClassHierarchyResolverOption.of(
                  inJar.orElse(ClassHierarchyResolver.defaultResolver())));
      int done = 0;
      for (Path p : old) {
        try {
          ClassModel m = cf.parse(Files.readAllBytes(p));
          byte[] out =
              cf.transformClass(
                  m,
                  ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                      .andThen(ClassTransform.endHandler(b -> b.withVersion(ClassFile.JAVA_8_VERSION, 0))));
          cf.verify(out).stream().findFirst().ifPresent(e -> { throw e; });
          Files.write(p, out);
          done++;
        } catch (RuntimeException e) {
          System.out.println("[upgrade-class-files] WARNING: left " + p + " as it was: " + e);
        }
      }
      if (done < old.size() || Boolean.getBoolean("spool.verbose")) { // quiet when all went well
        System.out.printf(
            "[upgrade-class-files] %s: %d of %d Java 5 class files rewritten with stack maps%n",
            jar.getFileName(), done, old.size());
      }
    }
  }

  private static boolean isOld(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      byte[] head = in.readNBytes(8);
      return head.length == 8 && (((head[6] & 0xff) << 8) | (head[7] & 0xff)) < 50;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
