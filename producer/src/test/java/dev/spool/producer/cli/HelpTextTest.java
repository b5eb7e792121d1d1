package dev.spool.producer.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code spool-producer --help} lists each command by the first line of its description. */
final class HelpTextTest {
  private static void collect(String path, CommandLine cl, List<String> problems) {
    for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
      String name = path + " " + e.getKey();
      String[] description = e.getValue().getCommandSpec().usageMessage().description();
      if (description.length == 0 || !description[0].strip().endsWith(".")) {
        problems.add(name + ": '" + (description.length == 0 ? "" : description[0]) + "'");
      }
      collect(name, e.getValue(), problems);
    }
  }

  @Test
  void everyCommand_firstDescriptionLine_isAWholeSentence() {
    List<String> cutMidSentence = new ArrayList<>();
    collect("spool-producer", ProducerMain.commandLine(), cutMidSentence);
    assertTrue(cutMidSentence.isEmpty(), "cut mid-sentence in the command list: " + cutMidSentence);
  }

  @Test
  void stop_hasNoOptionThatDoesNothing() {
    CommandLine stop = ProducerMain.commandLine().getSubcommands().get("stop");
    var names = stop.getCommandSpec().optionsMap().keySet();
    assertTrue(names.contains("--timeout") && names.contains("--redis-uri"), names.toString());
    String help = stop.getUsageMessage();
    assertTrue(help.contains("confirm the pills"), "--timeout says what it bounds: " + help);
    assertFalse(help.contains("all results"), help);
  }
}
