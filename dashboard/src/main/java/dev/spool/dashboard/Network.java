package dev.spool.dashboard;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who a request comes from and which host it was sent to, as far as the dashboard may believe:
 * {@code X-Forwarded-For} only from a proxy it was told to trust (else anybody could name any
 * address and escape the login throttle, or frame another), and a {@code Host} it answers to (else
 * a page on another site whose name points at this dashboard, a DNS rebinding, could read it with a
 * victim's cookie). Immutable, thread-safe.
 */
final class Network {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,252})?");

  private final List<Cidr> trustedProxies;
  private final Set<String> allowedHosts;

  /**
   * @param trustedProxies addresses or CIDR ranges of reverse proxies whose {@code X-Forwarded-For}
   *     is believed ({@code 10.0.0.5}, {@code 172.16.0.0/12})
   * @param allowedHosts host names the dashboard answers to besides {@code localhost} and IP
   *     addresses, lower case, without a port
   * @throws IllegalArgumentException naming the value that is not an address, a range or a name
   */
  Network(List<String> trustedProxies, Set<String> allowedHosts) {
    List<Cidr> proxies = new ArrayList<>();
    for (String p : trustedProxies) proxies.add(Cidr.parse(p));
    this.trustedProxies = List.copyOf(proxies);
    for (String h : allowedHosts) {
      if (!NAME.matcher(h).matches()) {
        throw new IllegalArgumentException(
            "SPOOL_DASHBOARD_ALLOWED_HOSTS: '" + h + "' is not a host name (lower case, no port)");
      }
    }
    this.allowedHosts = Set.copyOf(allowedHosts);
  }

  /**
   * The client's address: the peer's, or, when the peer is a trusted proxy, the right-most address
   * in {@code X-Forwarded-For} that is not itself a trusted proxy (each proxy appends the address
   * it was reached from, so entries left of the last untrusted one may be forged).
   */
  String client(String peer, String forwardedFor) {
    if (forwardedFor == null || !trusted(peer)) return peer;
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (hop.isEmpty()) continue;
      if (!trusted(hop)) return hop;
    }
    return peer;
  }

  private boolean trusted(String address) {
    for (Cidr c : trustedProxies) {
      if (c.contains(address)) return true;
    }
    return false;
  }

  /**
   * Whether a request's {@code Host} header names this dashboard: {@code localhost}, an IP address
   * (no DNS rebinding passes through a literal address), or one of the allowed names.
   */
  boolean hostAllowed(String hostHeader) {
    if (hostHeader == null || hostHeader.isBlank()) return false;
    String host = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) { // [::1]:8080
      int end = host.indexOf(']');
      return end > 1 && Cidr.literal(host.substring(1, end)) != null;
    }
    int colon = host.lastIndexOf(':');
    if (colon >= 0) host = host.substring(0, colon);
    if (host.equals("localhost") || host.endsWith(".localhost")) return true;
    return Cidr.literal(host) != null || allowedHosts.contains(host);
  }

  /** An address range: a base address and how many leading bits must match. */
  private record Cidr(byte[] base, int bits) {
    static Cidr parse(String text) {
      String t = text.trim();
      int slash = t.indexOf('/');
      byte[] base = literal(slash < 0 ? t : t.substring(0, slash));
      if (base == null) {
        throw new IllegalArgumentException(
            "SPOOL_DASHBOARD_TRUSTED_PROXIES: '" + text + "' is not an IP address or a CIDR range");
      }
      int bits = base.length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
          bits = -1;
        }
        if (bits < 0 || bits > base.length * 8) {
          throw new IllegalArgumentException(
              "SPOOL_DASHBOARD_TRUSTED_PROXIES: '" + text + "' has a bad prefix length");
        }
      }
      return new Cidr(base, bits);
    }

    boolean contains(String address) {
      byte[] a = literal(address);
      if (a == null || a.length != base.length) return false;
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >> (i % 8);
        if ((a[i / 8] & mask) != (base[i / 8] & mask)) return false;
      }
      return true;
    }

    /** The bytes of an IP address written as one, without a DNS lookup; null for anything else. */
    static byte[] literal(String s) {
      if (s == null || s.isEmpty()) return null;
      boolean v4 = s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
      boolean v6 = s.contains(":") && s.matches("[0-9a-fA-F:.]+");
      if (!v4 && !v6) return null;
      try {
        return InetAddress.getByName(s).getAddress(); // a literal: parsed, never looked up
      } catch (UnknownHostException e) {
        return null;
      }
    }
  }
}
