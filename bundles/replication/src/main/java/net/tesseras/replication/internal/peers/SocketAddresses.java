package net.tesseras.replication.internal.peers;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How peer addresses are written to the table and which announced addresses are worth keeping.
 * Only IP literals are ever resolved here: reading the table never triggers a DNS lookup.
 */
final class SocketAddresses {

    /** Addresses kept per peer: the most recently working first, older ones dropped beyond this. */
    static final int MAX_KEPT = 8;

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private SocketAddresses() {
    }

    /** {@code 192.0.2.1:4433}, {@code [2001:db8::1]:4433}, or {@code name:4433} for an unresolved seed. */
    static String format(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** The inverse of {@link #format}; a host name comes back unresolved (the transport resolves it when dialing). */
    static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("not host:port: '" + text + "'");
        }
        String host = text.substring(0, colon);
        int port = Integer.parseInt(text.substring(colon + 1));
        if (host.startsWith("[") && host.endsWith("]")) {
            return new InetSocketAddress(literal(host.substring(1, host.length() - 1), text), port);
        }
        if (IPV4.matcher(host).matches()) {
            return new InetSocketAddress(literal(host, text), port);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** One address per line, in order. */
    static String formatList(Collection<InetSocketAddress> addresses) {
        return String.join("\n", addresses.stream().map(SocketAddresses::format).toList());
    }

    static List<InetSocketAddress> parseList(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        return text.lines().map(SocketAddresses::parse).toList();
    }

    /**
     * {@code first} followed by those of {@code then} not already listed, at most {@link #MAX_KEPT}.
     */
    static List<InetSocketAddress> merge(List<InetSocketAddress> first, List<InetSocketAddress> then) {
        Set<String> seen = new LinkedHashSet<>();
        List<InetSocketAddress> merged = new ArrayList<>();
        for (List<InetSocketAddress> list : List.of(first, then)) {
            for (InetSocketAddress address : list) {
                if (merged.size() < MAX_KEPT && seen.add(format(address))) {
                    merged.add(address);
                }
            }
        }
        return merged;
    }

    /**
     * The addresses a peer announced about itself, made dialable from here: a wildcard
     * ({@code 0.0.0.0}, {@code ::}) means "every interface of mine", so the IP this node saw the
     * peer at ({@code observed}) takes its place with the announced port; so does a loopback
     * address announced by a peer seen from elsewhere (it names the peer's own machine, not ours).
     * An unusable address is dropped when {@code observed} is unknown.
     */
    static List<InetSocketAddress> resolveAnnounced(List<InetSocketAddress> announced, InetAddress observed) {
        List<InetSocketAddress> resolved = new ArrayList<>();
        for (InetSocketAddress address : announced) {
            InetAddress ip = address.getAddress();
            boolean needsObserved = ip == null || ip.isAnyLocalAddress()
                    || (ip.isLoopbackAddress() && observed != null && !observed.isLoopbackAddress());
            if (!needsObserved) {
                resolved.add(address);
            } else if (observed != null && !observed.isAnyLocalAddress()) {
                resolved.add(new InetSocketAddress(observed, address.getPort()));
            }
        }
        return merge(resolved, List.of());
    }

    /**
     * Addresses another peer told us about a third one: wildcards are useless second-hand, and a
     * loopback address is only meaningful when the teller itself is on our machine.
     */
    static List<InetSocketAddress> usableHearsay(List<InetSocketAddress> heard, InetAddress teller) {
        boolean tellerLocal = teller != null && teller.isLoopbackAddress();
        return merge(heard.stream()
                .filter(a -> a.getAddress() != null && !a.getAddress().isAnyLocalAddress()
                        && (tellerLocal || !a.getAddress().isLoopbackAddress()))
                .toList(), List.of());
    }

    private static InetAddress literal(String ip, String whole) {
        try {
            // An IP literal: getByName parses it without asking DNS.
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address in '" + whole + "'", e);
        }
    }
}
