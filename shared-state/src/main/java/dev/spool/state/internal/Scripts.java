package dev.spool.state.internal;

/**
 * The Lua scripts behind locks and fenced writes; each runs atomically inside Redis.
 *
 * <p>A lock is the string key {@code :lock:<name>} holding {@code <holder>#<token>} with a PX
 * expiry; {@code :lock:<name>:fence} counts grants, so fencing tokens grow strictly. Each token is
 * at least the Redis server's clock in microseconds ({@code TIME}), so tokens keep growing even
 * when Redis lost the counter (a restart without persistence, a failover that lost the last
 * writes): a new token is always above every token granted before, as long as the server's clock
 * does not go back. (Microseconds since 1970 stay below 2^53, exact in Lua's numbers.)
 *
 * <p>{@code <ns>:epoch} names the namespace's state: created with the first lock granted, it is
 * gone or another after Redis lost its data. A client that saw one epoch and finds it gone marks it
 * lost, and from then on no client is granted a lock in the namespace until an operator accepts the
 * loss ({@link SharedState#acceptStateLoss()}): values written under locks may have gone back (a
 * {@code locked-increment} count would start again), and a holder caught by the loss could overlap
 * the next.
 */
final class Scripts {
  private Scripts() {}

  /**
   * KEYS lock, fence, epoch, accepted epochs; ARGV value, leaseMs, the epoch this client saw (''
   * for none yet), a new epoch to create when the namespace has none. Returns {1, fence, epoch},
   * {0, pttl, holderValue, epoch}, or {-1, epoch} when Redis lost the namespace's state: the epoch
   * this client saw is gone or another one that no operator accepted in its place. It is then
   * marked {@code lost:<old>}, so that every client refuses until the loss is accepted.
   */
  static final Script ACQUIRE =
      new Script(
          """
          local epoch = redis.call('GET', KEYS[3])
          if epoch and string.sub(epoch, 1, 5) == 'lost:' then return {-1, epoch} end
          if ARGV[3] ~= '' and epoch ~= ARGV[3]
              and redis.call('SISMEMBER', KEYS[4], ARGV[3]) == 0 then
            epoch = 'lost:' .. ARGV[3]
            redis.call('SET', KEYS[3], epoch)
            return {-1, epoch}
          end
          if epoch == false then
            epoch = ARGV[4]
            redis.call('SET', KEYS[3], epoch)
          end
          if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
            local now = redis.call('TIME')
            local floor = tonumber(now[1]) * 1000000 + tonumber(now[2])
            local token = redis.call('INCR', KEYS[2])
            if token < floor then
              token = floor
              redis.call('SET', KEYS[2], string.format('%d', token))
            end
            return {1, token, epoch}
          end
          return {0, redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[1]) or '', epoch}
          """);

  /**
   * KEYS epoch, accepted epochs; ARGV a new epoch. Accepts a loss of state: a lost epoch joins the
   * accepted ones (clients that saw it take the new one) and the new epoch replaces it. Returns
   * what the epoch was ('' for none).
   */
  static final Script ACCEPT_LOSS =
      new Script(
          """
          local epoch = redis.call('GET', KEYS[1])
          if epoch == false or string.sub(epoch, 1, 5) ~= 'lost:' then return epoch or '' end
          redis.call('SADD', KEYS[2], string.sub(epoch, 6))
          redis.call('SET', KEYS[1], ARGV[1])
          return epoch
          """);

  /** KEYS lock; ARGV value, channel, name. Deletes and announces only our own lock. */
  static final Script RELEASE =
      new Script(
          """
          if redis.call('GET', KEYS[1]) == ARGV[1] then
            redis.call('DEL', KEYS[1])
            redis.call('PUBLISH', ARGV[2], ARGV[3])
            return 1
          end
          return 0
          """);

  /** KEYS lock; ARGV value, leaseMs. Extends only our own lock. */
  static final Script EXTEND =
      new Script(
          """
          if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('PEXPIRE', KEYS[1], ARGV[2])
          end
          return 0
          """);

  /**
   * KEYS lock, target; ARGV value, op, args... Applies one write to target only while the lock
   * holds value. Returns {1, result} or {0} when the lease is lost.
   */
  static final Script FENCED =
      new Script(
          """
          if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
          local op = ARGV[2]
          if op == 'HSET' then return {1, redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])}
          elseif op == 'HDEL' then return {1, redis.call('HDEL', KEYS[2], ARGV[3])}
          elseif op == 'RPUSH' then return {1, redis.call('RPUSH', KEYS[2], ARGV[3])}
          elseif op == 'LSET' then
            local n = redis.call('LLEN', KEYS[2])
            local i = tonumber(ARGV[3])
            if i >= n then return {2, n} end
            redis.call('LSET', KEYS[2], i, ARGV[4])
            return {1, 1}
          elseif op == 'SET' then redis.call('SET', KEYS[2], ARGV[3]) return {1, 1}
          end
          return redis.error_reply('unknown fenced op ' .. op)
          """);

  /** KEYS value; ARGV expected ('' for absent), new. Compare-and-set on the JSON encoding. */
  static final Script COMPARE_AND_SET =
      new Script(
          """
          local cur = redis.call('GET', KEYS[1])
          if (cur == false and ARGV[1] == '') or cur == ARGV[1] then
            redis.call('SET', KEYS[1], ARGV[2])
            return 1
          end
          return 0
          """);

  /**
   * KEYS dict; ARGV field, expected JSON ('' for absent), new JSON ('' to delete the field).
   * Compare-and-set of one field, for {@code SharedDict.update}: 1 when set, 0 when the field had
   * changed.
   */
  static final Script HASH_COMPARE_AND_SET =
      new Script(
          """
          local cur = redis.call('HGET', KEYS[1], ARGV[1])
          if (cur == false and ARGV[2] == '') or cur == ARGV[2] then
            if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1])
            else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
            return 1
          end
          return 0
          """);

  /** Redis's clock in epoch ms, as scripts read it. */
  private static final String NOW =
      """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      """;

  /**
   * KEYS waiting, claimed, payloads; ARGV id, payload, 'in' or 'at', ms, channel ('' none). Returns
   * the due ms. Announces the schedule's key on the channel when the entry is due before every
   * other waiting one: the movers sleep until the earliest.
   */
  static final Script SCHEDULE_ADD =
      new Script(
          NOW
              + """
              local due = tonumber(ARGV[4])
              if ARGV[3] == 'in' then due = now + due end
              local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
              redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
              redis.call('ZREM', KEYS[2], ARGV[1])
              redis.call('ZADD', KEYS[1], due, ARGV[1])
              if ARGV[5] ~= '' and (first[2] == nil or due < tonumber(first[2])) then
                redis.call('PUBLISH', ARGV[5], KEYS[1])
              end
              return due
              """);

  /**
   * KEYS waiting, claimed, payloads; ARGV max, lease ms. Returns id, payload, due ms for each entry
   * claimed, then the ms until the next entry falls due or a lease runs out (-1: none); claims
   * whose lease ran out are due again first.
   */
  static final Script SCHEDULE_CLAIM =
      new Script(
          NOW
              + """
              local max = tonumber(ARGV[1])
              local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, max)
              for _, id in ipairs(expired) do
                redis.call('ZREM', KEYS[2], id)
                redis.call('ZADD', KEYS[1], now, id)
              end
              local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, max)
              local out = {}
              local lease = now + tonumber(ARGV[2])
              for i = 1, #due, 2 do
                local id = due[i]
                redis.call('ZREM', KEYS[1], id)
                local payload = redis.call('HGET', KEYS[3], id)
                if payload then
                  redis.call('ZADD', KEYS[2], lease, id)
                  out[#out + 1] = id
                  out[#out + 1] = payload
                  out[#out + 1] = due[i + 1]
                end
              end
              local soonest = -1
              for _, k in ipairs({KEYS[1], KEYS[2]}) do
                local first = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
                if first[2] and (soonest < 0 or tonumber(first[2]) < soonest) then
                  soonest = tonumber(first[2])
                end
              end
              if soonest >= 0 then soonest = math.max(0, soonest - now) end
              out[#out + 1] = soonest
              return out
              """);

  /** KEYS waiting, claimed, payloads; ARGV the ids. */
  static final Script SCHEDULE_DONE =
      new Script(
          """
          redis.call('ZREM', KEYS[2], unpack(ARGV))
          redis.call('HDEL', KEYS[3], unpack(ARGV))
          return #ARGV
          """);

  /** KEYS waiting, claimed, payloads; ARGV ids. Returns how many were waiting (now gone). */
  static final Script SCHEDULE_CANCEL =
      new Script(
          """
          local removed = 0
          for _, id in ipairs(ARGV) do
            if redis.call('ZREM', KEYS[1], id) == 1 then
              redis.call('HDEL', KEYS[3], id)
              removed = removed + 1
            end
          end
          return removed
          """);

  /**
   * KEYS set, version; ARGV ttl ms, members... Adds members with expiry now + ttl (keeping a later
   * one), drops expired members, bumps the version, keeps both keys as long as the last member.
   * Returns how many were new.
   */
  static final Script EXPIRING_SET_ADD =
      new Script(
          NOW
              + """
              local expiry = now + tonumber(ARGV[1])
              redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
              local added = 0
              for i = 2, #ARGV do
                if not redis.call('ZSCORE', KEYS[1], ARGV[i]) then added = added + 1 end
                redis.call('ZADD', KEYS[1], 'GT', expiry, ARGV[i])
              end
              local version = redis.call('INCR', KEYS[2])
              local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
              local keep = tonumber(last[2]) - now + 1000
              redis.call('PEXPIRE', KEYS[1], keep)
              redis.call('PEXPIRE', KEYS[2], keep)
              return added
              """);

  /** KEYS set, version; ARGV member. Removes it; bumps the version when it was there. */
  static final Script EXPIRING_SET_REMOVE =
      new Script(
          """
          if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
            redis.call('INCR', KEYS[2])
            return 1
          end
          return 0
          """);

  /** KEYS set, version. Returns the version, then every member not expired. */
  static final Script EXPIRING_SET_READ =
      new Script(
          NOW
              + """
              local out = {tonumber(redis.call('GET', KEYS[2]) or '0')}
              local members = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
              for _, m in ipairs(members) do out[#out + 1] = m end
              return out
              """);

  /** KEYS set, version; ARGV member. 1 when it is a member not expired. */
  static final Script EXPIRING_SET_CONTAINS =
      new Script(
          NOW
              + """
              local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
              if expiry and tonumber(expiry) > now then return 1 end
              return 0
              """);

  /**
   * KEYS next-free time (µs); ARGV period µs, count. Books the next slot of count per period,
   * evenly spaced, and returns the µs until it (0: at once).
   */
  static final Script RATE_RESERVE =
      new Script(
          """
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          local spacing = tonumber(ARGV[1]) / tonumber(ARGV[2])
          local free = tonumber(redis.call('GET', KEYS[1]) or '0')
          local slot = math.max(free, now)
          local nextFree = slot + spacing
          local keepMs = math.floor((nextFree - now) / 1000) + 1000
          redis.call('SET', KEYS[1], string.format('%d', nextFree), 'PX', keepMs)
          return math.floor(slot - now)
          """);

  /**
   * KEYS defs, next, last; ARGV max, lookahead ms. Returns name, due ms for each entry due by now
   * plus the lookahead, and then Redis's time now (ms).
   */
  static final Script TIMETABLE_DUE =
      new Script(
          NOW
              + """
              local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now + tonumber(ARGV[2]), 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[1]))
              local out = {}
              for i = 1, #due, 2 do
                out[#out + 1] = due[i]
                out[#out + 1] = string.format('%d', tonumber(due[i + 1]))
              end
              out[#out + 1] = string.format('%d', now)
              return out
              """);

  /** KEYS defs, next, last; ARGV name, definition. Replaces an existing definition: 1, else 0. */
  static final Script TIMETABLE_REDEFINE =
      new Script(
          """
          if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
          return 1
          """);

  /**
   * KEYS defs, next, last, lock, target waiting, target payloads; ARGV lease value, name, due ms,
   * next ms ('' none), occurrence id, payload ('' to skip), run-at ms, the definition read, the
   * target's channel ('' none; announced as SCHEDULE_ADD does). -1: lease lost; 0: not due at that
   * time any more, or redefined since read; 1: fired (or skipped) and advanced.
   */
  static final Script TIMETABLE_FIRE =
      new Script(
          """
          if redis.call('GET', KEYS[4]) ~= ARGV[1] then return -1 end
          local score = redis.call('ZSCORE', KEYS[2], ARGV[2])
          if not score or string.format('%d', tonumber(score)) ~= ARGV[3] then return 0 end
          if redis.call('HGET', KEYS[1], ARGV[2]) ~= ARGV[8] then return 0 end
          if ARGV[6] ~= '' then
            if redis.call('HSETNX', KEYS[6], ARGV[5], ARGV[6]) == 1 then
              local first = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
              redis.call('ZADD', KEYS[5], tonumber(ARGV[7]), ARGV[5])
              if ARGV[9] ~= '' and (first[2] == nil or tonumber(ARGV[7]) < tonumber(first[2])) then
                redis.call('PUBLISH', ARGV[9], KEYS[5])
              end
            end
            redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
          end
          if ARGV[4] == '' then
            redis.call('ZREM', KEYS[2], ARGV[2])
          else
            redis.call('ZADD', KEYS[2], tonumber(ARGV[4]), ARGV[2])
          end
          return 1
          """);

  /** After NOW: KEYS[1], a sorted set scored by expiry, expires 1 s after its latest member. */
  private static final String EXPIRE_WITH_LATEST =
      """
      local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
      redis.call('PEXPIRE', KEYS[1], tonumber(last[2]) - now + 1000)
      """;

  /**
   * KEYS workers, report; ARGV id, report, ttl ms. Keeps the report for ttl and the id in the set
   * of workers until then (by the server's clock); drops ids whose reports expired.
   */
  static final Script WORKER_BEAT =
      new Script(
          NOW
              + """
              local ttl = tonumber(ARGV[3])
              redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
              redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
              redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
              """
              + EXPIRE_WITH_LATEST
              + """
              return now
              """);

  /** KEYS workers; returns the ids whose reports have not expired, dropping the others. */
  static final Script WORKERS_ALIVE =
      new Script(
          NOW
              + """
              redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
              return redis.call('ZRANGE', KEYS[1], 0, -1)
              """);

  /** KEYS pings; ARGV nonce, ttl ms. Posts a ping open for ttl; drops the closed ones. */
  static final Script PING_POST =
      new Script(
          NOW
              + """
              redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
              redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
              """
              + EXPIRE_WITH_LATEST
              + """
              return now
              """);

  /** KEYS pings; returns the nonces of pings still open. */
  static final Script PINGS_OPEN =
      new Script(
          NOW
              + """
              return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
              """);
}
