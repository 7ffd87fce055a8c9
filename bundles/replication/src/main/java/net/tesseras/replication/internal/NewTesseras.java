package net.tesseras.replication.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.replication.internal.placement.PlacementBook;
import net.tesseras.replication.internal.placement.Publisher;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.TesseraService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code publish.on.create}: publishes every tessera this node created and never published. A scan
 * rather than a hook into creation, so a tessera created while replication was stopped is
 * published once it runs again.
 */
final class NewTesseras {

    private static final Logger LOG = LoggerFactory.getLogger(NewTesseras.class);
    private static final int PAGE = 500;

    private final TesseraService tesseras;
    private final PlacementBook book;
    private final NodeIdentity identity;
    private final Publisher publisher;
    private final NodePlans plans;

    NewTesseras(TesseraService tesseras, PlacementBook book, NodeIdentity identity, Publisher publisher, NodePlans plans) {
        this.tesseras = tesseras;
        this.book = book;
        this.identity = identity;
        this.publisher = publisher;
        this.plans = plans;
    }

    void publish() {
        Set<ContentHash> published = new HashSet<>(book.tesseras());
        String me = java.util.HexFormat.of().formatHex(identity.publicKey());
        ContentHash after = null;
        List<TesseraInfo> page;
        do {
            page = tesseras.list(after, PAGE);
            for (TesseraInfo info : page) {
                after = info.hash();
                // Tesseras restored from the network were published by their creators.
                if (published.contains(info.hash()) || !me.equals(info.creator())) {
                    continue;
                }
                plans.own(info.hash()).ifPresent(plan -> {
                    Set<Integer> all = IntStream.range(0, plan.plan().totalShards()).boxed().collect(Collectors.toSet());
                    Publisher.PlaceResult result = publisher.place(plan, all, Set.of(), TesseraProgress.NONE);
                    LOG.info("Published tessera {} (publish.on.create): {} fragments placed, {} pending", info.hash(),
                            result.placed(), result.pending());
                });
            }
        } while (page.size() == PAGE);
    }
}
