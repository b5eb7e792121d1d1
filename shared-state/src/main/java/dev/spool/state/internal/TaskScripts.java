package dev.spool.state.internal;

/**
 * The Lua scripts behind {@link TaskRecords}: each reads Redis's clock, writes one task's hash and
 * sets its expiry, atomically. A record that holds a success or a cancel never changes again.
 */
final class TaskScripts {
  private TaskScripts() {}

  private static final String NOW =
      """
      local t = redis.call('TIME')
      local now = string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
      local function final(s) return s == 'succeeded' or s == 'cancelled' end
      local function ended(s)
        return s == 'succeeded' or s == 'failed' or s == 'cancelled' or s == 'dead'
      end
      local function keepAtLeast(key, ms)
        if redis.call('PTTL', key) < tonumber(ms) then redis.call('PEXPIRE', key, ms) end
      end
      """;

  /**
   * KEYS record; ARGV name, due ms or '', keep ms, submission or ''. Replaces any record with a new
   * one, unless a consumer already recorded this very submission (the producer writes the record
   * while it publishes): then it only adds what the producer knows.
   */
  static final Script SUBMITTED =
      new Script(
          NOW
              + """
              local keep = tonumber(ARGV[3])
              if ARGV[2] ~= '' then keep = keep + math.max(0, tonumber(ARGV[2]) - tonumber(now)) end
              if ARGV[4] ~= '' and redis.call('HGET', KEYS[1], 'submission') == ARGV[4] then
                redis.call('HSETNX', KEYS[1], 'submitted', now)
                if ARGV[2] ~= '' then redis.call('HSETNX', KEYS[1], 'due', ARGV[2]) end
                return 0
              end
              redis.call('DEL', KEYS[1])
              if ARGV[2] == '' then
                redis.call('HSET', KEYS[1], 'state', 'pending', 'name', ARGV[1],
                  'submitted', now, 'attempts', 0, 'submission', ARGV[4])
              else
                redis.call('HSET', KEYS[1], 'state', 'scheduled', 'name', ARGV[1],
                  'submitted', now, 'due', ARGV[2], 'attempts', 0, 'submission', ARGV[4])
              end
              redis.call('PEXPIRE', KEYS[1], string.format('%d', keep))
              return 1
              """);

  /**
   * KEYS record; ARGV name, attempt, worker, keep ms, submission or ''. Returns 1 when recorded as
   * started, else the record's fields (a success or a cancel). A record of an earlier submission
   * under the same id is replaced.
   */
  static final Script START =
      new Script(
          NOW
              + """
              local state = redis.call('HGET', KEYS[1], 'state')
              local sub = redis.call('HGET', KEYS[1], 'submission')
              if ARGV[5] ~= '' and sub and sub ~= '' and sub ~= ARGV[5] then
                redis.call('DEL', KEYS[1])
                state = false
              end
              if final(state) then return redis.call('HGETALL', KEYS[1]) end
              redis.call('HSET', KEYS[1], 'state', 'started', 'name', ARGV[1], 'attempts', ARGV[2],
                'worker', ARGV[3], 'started', now, 'submission', ARGV[5])
              redis.call('HDEL', KEYS[1], 'finished', 'result', 'progress')
              keepAtLeast(KEYS[1], ARGV[4])
              return 1
              """);

  /** KEYS record; ARGV name, attempt, error JSON, keep ms. */
  static final Script RETRYING =
      new Script(
          NOW
              + """
              local state = redis.call('HGET', KEYS[1], 'state')
              if ended(state) then return 0 end
              redis.call('HSET', KEYS[1], 'state', 'retrying', 'name', ARGV[1], 'attempts', ARGV[2],
                'error', ARGV[3])
              keepAtLeast(KEYS[1], ARGV[4])
              return 1
              """);

  /**
   * KEYS record, in-progress index; ARGV name, state, JSON, attempts, keep ms, id, submission or
   * ''. Returns 1 when written, 0 when the record held a success or a cancel, or belongs to another
   * submission under the same id.
   */
  static final Script FINISHED =
      new Script(
          NOW
              + """
              local state = redis.call('HGET', KEYS[1], 'state')
              if final(state) then return 0 end
              local sub = redis.call('HGET', KEYS[1], 'submission')
              if ARGV[7] ~= '' and sub and sub ~= '' and sub ~= ARGV[7] then return 0 end
              local field = 'error'
              if ARGV[2] == 'succeeded' then
                field = 'result'
                redis.call('HDEL', KEYS[1], 'error')
              end
              redis.call('HSET', KEYS[1], 'state', ARGV[2], 'name', ARGV[1], field, ARGV[3],
                'finished', now)
              if tonumber(ARGV[4]) > 0 then redis.call('HSET', KEYS[1], 'attempts', ARGV[4]) end
              redis.call('PEXPIRE', KEYS[1], ARGV[5])
              redis.call('ZREM', KEYS[2], ARGV[6])
              return 1
              """);

  /**
   * KEYS record, in-progress index; ARGV progress JSON, id. Only while started; keeps the expiry;
   * indexes the task by the time of its report.
   */
  static final Script PROGRESS =
      new Script(
          NOW
              + """
              if redis.call('HGET', KEYS[1], 'state') ~= 'started' then return 0 end
              redis.call('HSET', KEYS[1], 'progress', ARGV[1])
              redis.call('ZADD', KEYS[2], now, ARGV[2])
              return 1
              """);

  /**
   * KEYS records; ARGV error JSON. Cancels each pending or scheduled record, keeping its expiry;
   * returns how many.
   */
  static final Script CANCEL_WAITING =
      new Script(
          NOW
              + """
              local n = 0
              for _, key in ipairs(KEYS) do
                local state = redis.call('HGET', key, 'state')
                if state == 'pending' or state == 'scheduled' then
                  redis.call('HSET', key, 'state', 'cancelled', 'error', ARGV[1], 'finished', now)
                  n = n + 1
                end
              end
              return n
              """);

  /** KEYS record. Returns the fields and, last, the PTTL (a lone -2 when there is none). */
  /**
   * HGETALL and PTTL of a record. A pending record past its {@code abandon} time (a workflow whose
   * submitter stopped before the broker had its first steps) reads as failed with ARGV[1].
   */
  static final Script READ =
      new Script(
          """
          local f = redis.call('HGETALL', KEYS[1])
          local state, abandon
          for i = 1, #f, 2 do
            if f[i] == 'state' then state = f[i + 1] elseif f[i] == 'abandon' then abandon = f[i + 1] end
          end
          if state == 'pending' and abandon then
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            if now > tonumber(abandon) then
              f[#f + 1] = 'state'
              f[#f + 1] = 'failed'
              f[#f + 1] = 'error'
              f[#f + 1] = ARGV[1]
              f[#f + 1] = 'finished'
              f[#f + 1] = abandon
            end
          end
          f[#f + 1] = redis.call('PTTL', KEYS[1])
          return f
          """);
}
