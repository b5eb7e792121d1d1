package dev.spool.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

final class ConnectionOptionsTest {
  @Test
  void noPassword_uriWithPassword_isRefusedNamingTheVariable() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ConnectionOptions.noPassword("--amqp-uri", "SPOOL_AMQP_URI", "amqp://u:p@h/"));
    assertTrue(e.getMessage().contains("SPOOL_AMQP_URI_FILE"), e.getMessage());
  }

  @Test
  void noPassword_userWithoutPasswordOrNoUser_isKept() {
    assertEquals(
        "redis://user@h:6379/0",
        ConnectionOptions.noPassword("--redis-uri", "SPOOL_REDIS_URI", "redis://user@h:6379/0"));
    assertEquals(
        "amqp://h:5672/%2F",
        ConnectionOptions.noPassword("--amqp-uri", "SPOOL_AMQP_URI", "amqp://h:5672/%2F"));
  }

  @Test
  void toConfig_badValueFromAFlag_errorNamesTheFlag_fromTheEnvironment_theVariable() {
    ConnectionOptions flags = new ConnectionOptions();
    flags.namespace = "Bad Name";
    IllegalArgumentException byFlag =
        assertThrows(IllegalArgumentException.class, () -> flags.toConfig(java.util.Map.of()));
    assertTrue(byFlag.getMessage().startsWith("--namespace: 'Bad Name'"), byFlag.getMessage());

    IllegalArgumentException byEnv =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ConnectionOptions().toConfig(java.util.Map.of("SPOOL_NAMESPACE", "Bad Name")));
    assertTrue(byEnv.getMessage().startsWith("SPOOL_NAMESPACE: 'Bad Name'"), byEnv.getMessage());
  }
}
