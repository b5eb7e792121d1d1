package dev.spool.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessIdentityTest {
  @TempDir Path dir;

  @Test
  void hostName_anExportedHOSTNAME_wins() throws Exception {
    Path kernel = Files.writeString(dir.resolve("hostname"), "kernel-name\n");
    assertEquals("box-7", ProcessIdentity.hostName(Map.of("HOSTNAME", " box-7 "), kernel));
  }

  @Test
  void hostName_withoutIt_readsTheKernelsName_trimmed() throws Exception {
    Path kernel = Files.writeString(dir.resolve("hostname"), "kernel-name\n");
    assertEquals("kernel-name", ProcessIdentity.hostName(Map.of("HOSTNAME", " "), kernel));
  }

  @Test
  void hostName_withoutEither_asksTheResolver() throws Exception {
    assertEquals(
        InetAddress.getLocalHost().getHostName(),
        ProcessIdentity.hostName(Map.of(), dir.resolve("absent")));
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertEquals(
        InetAddress.getLocalHost().getHostName(), ProcessIdentity.hostName(Map.of(), empty));
  }

  @Test
  void current_namesThisProcess() {
    ProcessIdentity me = ProcessIdentity.current("producer");
    assertEquals(ProcessHandle.current().pid(), me.pid());
    assertFalse(me.host().isBlank());
    assertEquals("producer@" + me.host() + "/" + me.pid(), me.toString());
  }
}
