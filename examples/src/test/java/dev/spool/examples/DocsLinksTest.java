package dev.spool.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the README, the changelog and docs/ leads somewhere: the file or folder
 * exists, and an anchor names a heading of the page it points to (as GitHub makes anchors).
 */
final class DocsLinksTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern FENCE = Pattern.compile("(?ms)^```.*?^```");

  @Test
  void everyRelativeLink_leadsToAFileAndHeading() throws IOException {
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path page : CodeSamplesTest.pages()) {
      String text = FENCE.matcher(Files.readString(page)).replaceAll("");
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String href = m.group(1);
        if (href.matches("^[a-z]+:.*")) continue; // http:, https:, mailto:
        checked++;
        String file = href.contains("#") ? href.substring(0, href.indexOf('#')) : href;
        String anchor = href.contains("#") ? href.substring(href.indexOf('#') + 1) : "";
        Path target = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        String where = ROOT.relativize(page) + ": " + href;
        if (!Files.exists(target)) {
          broken.add(where + " (no such file)");
        } else if (!anchor.isEmpty() && !anchors(target).contains(anchor)) {
          broken.add(where + " (no such heading in " + ROOT.relativize(target) + ")");
        }
      }
    }
    assertTrue(checked >= 30, "found only " + checked + " relative links");
    assertTrue(broken.isEmpty(), "broken links:\n" + String.join("\n", broken));
  }

  @Test
  void readme_isAFrontPage() throws IOException {
    long lines = Files.readAllLines(ROOT.resolve("README.md")).size();
    assertTrue(lines <= 300, "README.md has " + lines + " lines; guides belong in docs/");
  }

  private static Set<String> anchors(Path page) throws IOException {
    Set<String> out = new HashSet<>();
    String text = FENCE.matcher(Files.readString(page)).replaceAll("");
    for (String line : text.split("\n")) {
      if (!line.matches("^#{1,6} .*")) continue;
      String heading = line.replaceFirst("^#+ ", "").strip().toLowerCase(Locale.ROOT);
      out.add(heading.replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-'));
    }
    return out;
  }
}
