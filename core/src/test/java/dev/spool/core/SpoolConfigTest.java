package dev.spool.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SpoolConfigTest {
  @Test
  void fromEnvironment_empty_usesDefaults() {
    SpoolConfig c = SpoolConfig.fromEnvironment(Map.of());
    assertEquals(SpoolConfig.DEFAULT_AMQP_URI, c.amqpUri().toString());
    assertEquals(SpoolConfig.DEFAULT_REDIS_URI, c.redisUri().toString());
    assertEquals("spool", c.namespace());
  }

  @Test
  void fromEnvironment_variablesSet_usesThem() {
    SpoolConfig c =
        SpoolConfig.fromEnvironment(
            Map.of(
                "SPOOL_AMQP_URI", "amqps://u:p@rabbit:5671/prod",
                "SPOOL_REDIS_URI", "rediss://redis:6380/2",
                "SPOOL_NAMESPACE", "billing"));
    assertEquals("rabbit", c.amqpUri().getHost());
    assertEquals("rediss", c.redisUri().getScheme());
    assertEquals("billing", c.namespace());
  }

  @Test
  void fromEnvironment_fileVariant_readsSecretFromFile(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("amqp");
    Files.writeString(secret, "amqp://app:s3cret@mq:5672/%2F\n");
    SpoolConfig c = SpoolConfig.fromEnvironment(Map.of("SPOOL_AMQP_URI_FILE", secret.toString()));
    assertEquals("mq", c.amqpUri().getHost());
    assertFalse(c.toString().contains("s3cret"), c.toString());
    assertTrue(c.amqpUriRedacted().contains("app:***@"), c.amqpUriRedacted());
  }

  @Test
  void fromEnvironment_missingFile_namesTheSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SpoolConfig.fromEnvironment(Map.of("SPOOL_REDIS_URI_FILE", "/nonexistent/x")));
    assertTrue(e.getMessage().startsWith("SPOOL_REDIS_URI_FILE"), e.getMessage());
  }

  @Test
  void fromEnvironment_valueAndFileBothSet_isRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SpoolConfig.fromEnvironment(
                    Map.of("SPOOL_NAMESPACE", "a", "SPOOL_NAMESPACE_FILE", "/tmp/x")));
    assertTrue(e.getMessage().contains("both set"), e.getMessage());
  }

  @Test
  void build_wrongAmqpScheme_namesSettingAndValue() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SpoolConfig.builder().amqpUri("http://localhost:5672").build());
    assertTrue(
        e.getMessage().startsWith("SPOOL_AMQP_URI: 'http://localhost:5672'"), e.getMessage());
    assertTrue(e.getMessage().contains("amqp://"), e.getMessage());
  }

  @Test
  void build_wrongRedisScheme_namesSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SpoolConfig.builder().redisUri("amqp://localhost").build());
    assertTrue(e.getMessage().startsWith("SPOOL_REDIS_URI"), e.getMessage());
  }

  @Test
  void build_redisDatabaseNotANumber_isRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SpoolConfig.builder().redisUri("redis://localhost:6379/abc").build());
    assertTrue(e.getMessage().contains("database"), e.getMessage());
  }

  @Test
  void build_noHost_isRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SpoolConfig.builder().amqpUri("amqp:///x").build());
    assertTrue(e.getMessage().contains("names no host"), e.getMessage());
  }

  @Test
  void build_badNamespace_namesSettingAndValue() {
    for (String bad : new String[] {"", "Upper", "has.dot", "has:colon", "-lead", "x".repeat(49)}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> SpoolConfig.builder().namespace(bad).build(),
              bad);
      assertTrue(e.getMessage().startsWith("SPOOL_NAMESPACE: '" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void redact_passwordInUri_isHidden() {
    SpoolConfig c = SpoolConfig.builder().redisUri("redis://default:hunter2@r:6379/0").build();
    assertEquals("redis://default:***@r:6379/0", c.redisUriRedacted());
    assertFalse(c.toString().contains("hunter2"));
  }

  @Test
  void build_badUriWithAPassword_errorNeverShowsThePassword() {
    for (String uri :
        java.util.List.of(
            "amqp://admin:s3cret@rab_bit:5672/",
            "amqp://admin:s3cret@:5672/",
            "amqp://admin:s3cret@host:99999/",
            "amqp://admin:s3cret@ho st/",
            "http://admin:s3cret@host/")) {
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () -> SpoolConfig.builder().amqpUri(uri).build(),
              uri);
      org.junit.jupiter.api.Assertions.assertFalse(
          e.getMessage().contains("s3cret"), "password shown: " + e.getMessage());
      org.junit.jupiter.api.Assertions.assertTrue(
          e.getMessage().startsWith("SPOOL_AMQP_URI: "), e.getMessage());
    }
  }

  @Test
  void build_severalNodesInOneUri_everyNodeKept_passwordHidden_roundTrips() {
    SpoolConfig c =
        SpoolConfig.builder().amqpUri("amqp://app:s3cret@h1:5672,h2:5673,h3/spool").build();
    org.junit.jupiter.api.Assertions.assertEquals(
        java.util.List.of("h1:5672", "h2:5673", "h3:5672"), c.amqpAddresses());
    org.junit.jupiter.api.Assertions.assertEquals("h1", c.amqpUri().getHost());
    org.junit.jupiter.api.Assertions.assertEquals("/spool", c.amqpUri().getPath());
    org.junit.jupiter.api.Assertions.assertEquals(
        "amqp://app:***@h1:5672,h2:5673,h3:5672/spool", c.amqpUriRedacted());
    org.junit.jupiter.api.Assertions.assertEquals(c, c.toBuilder().build());
  }

  @Test
  void build_commaSeparatedUris_sameAsOneUri_tlsPortDefaultsTo5671() {
    SpoolConfig c =
        SpoolConfig.builder()
            .amqpUri("amqps://app:pw@h1/spool,amqps://app:pw@h2:5999/spool")
            .build();
    org.junit.jupiter.api.Assertions.assertEquals(
        java.util.List.of("h1:5671", "h2:5999"), c.amqpAddresses());
  }

  @Test
  void build_nodesThatDiffer_orTwice_areRefusedNamingTheSettingWithoutThePassword() {
    for (String uri :
        java.util.List.of(
            "amqp://app:s3cret@h1/a,amqp://app:s3cret@h2/b",
            "amqp://app:s3cret@h1/a,amqps://app:s3cret@h2/a",
            "amqp://app:s3cret@h1:5672,h1:5672/a",
            "amqp://app:s3cret@h1,,h2/a")) {
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class, () -> SpoolConfig.builder().amqpUri(uri).build());
      org.junit.jupiter.api.Assertions.assertTrue(
          e.getMessage().startsWith("SPOOL_AMQP_URI: "), e.getMessage());
      org.junit.jupiter.api.Assertions.assertFalse(e.getMessage().contains("s3cret"), uri);
    }
  }

  @Test
  void build_redisThroughSentinel_acceptedAndRedacted_malformedRefused() {
    SpoolConfig c =
        SpoolConfig.builder()
            .redisUri("redis-sentinel://:s3cret@h1:26379,h2:26380,h3/mymaster/2")
            .build();
    org.junit.jupiter.api.Assertions.assertEquals(
        "redis-sentinel://:***@h1:26379,h2:26380,h3/mymaster/2", c.redisUriRedacted());
    for (String bad :
        java.util.List.of(
            "redis-sentinel://:s3cret@h1:26379", "redis-sentinel://:s3cret@h1:x,h2/m")) {
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class, () -> SpoolConfig.builder().redisUri(bad).build());
      org.junit.jupiter.api.Assertions.assertTrue(
          e.getMessage().startsWith("SPOOL_REDIS_URI: "), e.getMessage());
      org.junit.jupiter.api.Assertions.assertFalse(e.getMessage().contains("s3cret"), bad);
    }
  }

  @Test
  void build_redisOptions_waitReplicasAccepted_badOnesRefusedNamingTheSettingWithoutThePassword() {
    SpoolConfig.builder()
        .redisUri("redis-sentinel://:s3cret@h1:26379,h2/mymaster/0?wait-replicas=1")
        .build();
    SpoolConfig.builder()
        .redisUri("redis://:s3cret@h1:6379/0?wait-replicas=2&wait-timeout=2s")
        .build();
    for (String bad :
        java.util.List.of(
            "redis://:s3cret@h1:6379/0?wait-replicas=many",
            "redis-sentinel://:s3cret@h1:26379/m/0?wait=1")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> SpoolConfig.builder().redisUri(bad).build());
      org.junit.jupiter.api.Assertions.assertTrue(
          e.getMessage().startsWith("SPOOL_REDIS_URI: '"), e.getMessage());
      org.junit.jupiter.api.Assertions.assertTrue(
          e.getMessage().contains("wait-replicas must be") || e.getMessage().contains("'wait'"),
          e.getMessage());
      org.junit.jupiter.api.Assertions.assertFalse(e.getMessage().contains("s3cret"), bad);
    }
  }

  @Test
  void constructor_calledDirectly_validatesAsTheBuilderDoes() {
    java.net.URI amqp = java.net.URI.create("amqp://guest:s3cret@localhost:5672/%2F");
    java.net.URI redis = java.net.URI.create("redis://localhost:6379/0");
    java.util.List<String> nodes = java.util.List.of();
    IllegalArgumentException ns =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SpoolConfig(amqp, redis, "Bad NS", QueueType.QUORUM, 10, 4096, nodes));
    assertTrue(ns.getMessage().startsWith("SPOOL_NAMESPACE: 'Bad NS'"), ns.getMessage());
    IllegalArgumentException limit =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SpoolConfig(amqp, redis, "ok", QueueType.QUORUM, 0, 4096, nodes));
    assertTrue(limit.getMessage().startsWith("SPOOL_DELIVERY_LIMIT: 0"), limit.getMessage());
    IllegalArgumentException size =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SpoolConfig(amqp, redis, "ok", QueueType.QUORUM, 10, 10, nodes));
    assertTrue(size.getMessage().startsWith("SPOOL_MAX_MESSAGE_SIZE: 10"), size.getMessage());
    IllegalArgumentException scheme =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new SpoolConfig(
                    java.net.URI.create("http://guest:s3cret@localhost/"),
                    redis,
                    "ok",
                    QueueType.QUORUM,
                    10,
                    4096,
                    nodes));
    assertTrue(scheme.getMessage().startsWith("SPOOL_AMQP_URI: "), scheme.getMessage());
    assertFalse(scheme.getMessage().contains("s3cret"), scheme.getMessage());
  }

  @Test
  void builder_typedValues_sameAsText() {
    SpoolConfig typed =
        SpoolConfig.builder()
            .queueType(QueueType.CLASSIC)
            .deliveryLimit(7)
            .maxMessageBytes(2048)
            .amqpUri(java.net.URI.create("amqp://u:p@h:5673/v"))
            .build();
    SpoolConfig text =
        SpoolConfig.builder()
            .queueType("classic")
            .deliveryLimit("7")
            .maxMessageSize("2KiB")
            .amqpUri("amqp://u:p@h:5673/v")
            .build();
    assertEquals(text, typed);
    assertEquals(typed, typed.toBuilder().build());
  }
}
