package dev.spool.consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.NotRetryableException;
import dev.spool.SpoolException;
import dev.spool.SpoolTimeoutException;
import dev.spool.TaskTimeLimitException;
import dev.spool.core.PipeTakenException;
import dev.spool.core.QueueClosedException;
import dev.spool.core.QueueEmptyException;
import dev.spool.core.SpoolBrokerBlockedException;
import dev.spool.core.SpoolCodecException;
import dev.spool.core.SpoolConnectionException;
import dev.spool.core.TaskCancelledException;
import dev.spool.core.TaskFailedException;
import dev.spool.core.TaskTimeoutException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A caller catches by meaning: every Spool exception under one root, every timeout under one. */
final class ExceptionHierarchyTest {
  @Test
  void everyPublicException_isASpoolException() {
    for (Class<?> c :
        List.of(
            PipeTakenException.class,
            QueueClosedException.class,
            QueueEmptyException.class,
            SpoolBrokerBlockedException.class,
            SpoolCodecException.class,
            SpoolConnectionException.class,
            SpoolTimeoutException.class,
            TaskFailedException.class,
            TaskCancelledException.class,
            TaskTimeoutException.class,
            NotRetryableException.class,
            TaskTimeLimitException.class)) {
      assertTrue(SpoolException.class.isAssignableFrom(c), c.getName());
    }
  }

  @Test
  void everyTimeout_isASpoolTimeoutException() {
    for (Class<?> c :
        List.of(
            TaskTimeoutException.class, QueueEmptyException.class, TaskTimeLimitException.class)) {
      assertTrue(SpoolTimeoutException.class.isAssignableFrom(c), c.getName());
    }
    assertTrue(SpoolConnectionException.class.isAssignableFrom(SpoolBrokerBlockedException.class));
    assertTrue(TaskFailedException.class.isAssignableFrom(TaskCancelledException.class));
  }
}
