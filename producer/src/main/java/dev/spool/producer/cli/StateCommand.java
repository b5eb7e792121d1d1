package dev.spool.producer.cli;

import dev.spool.core.cli.ConnectionOptions;
import dev.spool.state.internal.RedisState;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code spool-producer state check|accept-loss}: whether Redis lost the shared state. */
@Command(
    name = "state",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Whether Redis lost this namespace's shared state while Spool used it (a restart without"
          + " persistence, a failover to a replica that had not got the last writes). Spool"
          + " finds that out at the next lock asked for, and then grants no lock, to any"
          + " process, until an operator accepts the loss: values written under locks may have"
          + " gone back. See docs/deploy.md, 'Security', on Redis persistence."
    },
    subcommands = {StateCommand.Check.class, StateCommand.AcceptLoss.class})
final class StateCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "name a command: check or accept-loss");
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Prints 'shared state lost' and exits 1 when locks are refused because Redis lost the"
            + " shared state; prints 'shared state ok' and exits 0 otherwise."
      })
  static final class Check implements Callable<Integer> {
    @Mixin ConnectionOptions connection = new ConnectionOptions();

    @Override
    public Integer call() {
      try (RedisState state =
          RedisState.connect(connection.toConfig(System.getenv()).stateConfig())) {
        if (state.stateLost()) {
          System.out.println(
              "shared state lost: no lock is granted until 'spool-producer state accept-loss'");
          return 1;
        }
        System.out.println("shared state ok");
        return 0;
      }
    }
  }

  @Command(
      name = "accept-loss",
      mixinStandardHelpOptions = true,
      description = {
        "Accepts that Redis lost the shared state: locks are granted again, to every process,"
            + " from what Redis holds now. Check or restore the values your tasks keep under"
            + " locks first. Prints what was accepted, or 'nothing to accept'; exits 0 either"
            + " way."
      })
  static final class AcceptLoss implements Callable<Integer> {
    @Mixin ConnectionOptions connection = new ConnectionOptions();

    @Override
    public Integer call() {
      try (RedisState state =
          RedisState.connect(connection.toConfig(System.getenv()).stateConfig())) {
        Optional<String> lost = state.acceptStateLoss();
        System.out.println(
            lost.map(e -> "accepted the loss of shared state epoch " + e + ": locks granted again")
                .orElse("nothing to accept: the shared state was not lost"));
        return 0;
      }
    }
  }
}
