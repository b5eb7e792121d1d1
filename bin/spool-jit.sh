# shellcheck shell=sh
# Sourced by the consumer's launchers (bin/spool-consumer and the image's spool-consumer), POSIX sh.
# SPOOL_JIT says which code the JIT's optimizing compiler, C2, may take:
#   auto (the default)  split where the consumer has at most 2 CPUs, c2 where it has more
#   split               Spool's own code and its clients' (RabbitMQ, Jedis, Micrometer, logging)
#                       stay on C1; handlers, Jackson and the JDK reach C2 (consumer/jit-directives.json)
#   c2                  the JVM's default: any hot method may reach C2
# On 2 CPUs that the broker shares, C2 compiling Spool's path took more CPU than its code saved
# (maps 1.15-1.31x faster split) while its code answers a lone call sooner (apply's p99 over the
# bare client's, median of runs: 1.02 with c2, 1.18 split): docs/performance.md. With more CPUs the
# compiling runs beside the work, so auto keeps the JVM's default there.

spool_cpus() { # the CPUs this process may use: nproc, or fewer under a cgroup's CPU quota
  # (v2: cpu.max "QUOTA PERIOD" or "max PERIOD"; v1: cpu/cpu.cfs_quota_us, -1 for none).
  # SPOOL_CGROUP_ROOT moves /sys/fs/cgroup, for the launcher's tests.
  spool_n=$(nproc 2>/dev/null) || spool_n=1
  spool_cg="${SPOOL_CGROUP_ROOT:-/sys/fs/cgroup}"
  spool_quota="" spool_period=""
  if [ -r "$spool_cg/cpu.max" ]; then
    read -r spool_quota spool_period <"$spool_cg/cpu.max" || spool_quota=""
  elif [ -r "$spool_cg/cpu/cpu.cfs_quota_us" ] && [ -r "$spool_cg/cpu/cpu.cfs_period_us" ]; then
    read -r spool_quota <"$spool_cg/cpu/cpu.cfs_quota_us" || spool_quota=""
    read -r spool_period <"$spool_cg/cpu/cpu.cfs_period_us" || spool_period=""
  fi
  if [ "${spool_quota:-0}" -gt 0 ] 2>/dev/null && [ "${spool_period:-0}" -gt 0 ] 2>/dev/null; then
    spool_q=$(((spool_quota + spool_period - 1) / spool_period))
    [ "$spool_q" -lt "$spool_n" ] && spool_n=$spool_q
  fi
  echo "$spool_n"
}

spool_jit_split() { # succeeds when the consumer runs split; exits 2 on a value it does not know
  case "${SPOOL_JIT:-auto}" in
    split) return 0 ;;
    c2) return 1 ;;
    auto) [ "$(spool_cpus)" -le 2 ] ;;
    *)
      echo "spool-consumer: SPOOL_JIT must be auto, split or c2, was '$SPOOL_JIT'" >&2
      exit 2
      ;;
  esac
}
