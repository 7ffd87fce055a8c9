package net.tesseras.replication.internal;

import java.util.Optional;
import java.util.function.Supplier;
import net.tesseras.core.ContentHash;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraException;
import net.tesseras.tessera.TesseraService;

/**
 * Every plan the node knows: of the tesseras it created or adopted (the tessera service's records)
 * and of those it accepted to hold for peers.
 */
final class NodePlans implements PlanSource {

    private final Supplier<TesseraService> tesseras;
    private final PlanSource accepted;

    NodePlans(Supplier<TesseraService> tesseras, PlanSource accepted) {
        this.tesseras = tesseras;
        this.accepted = accepted;
    }

    /** The plan of a tessera this node created or adopted. */
    Optional<SignedFragmentPlan> own(ContentHash tessera) {
        TesseraService service = tesseras.get();
        if (service == null || service.find(tessera).isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(service.show(tessera).plan());
        } catch (TesseraException e) {
            // Deleted between find and show.
            return Optional.empty();
        }
    }

    /** The plan of a tessera this node accepted to hold for a peer. */
    Optional<SignedFragmentPlan> accepted(ContentHash tessera) {
        return accepted.plan(tessera);
    }

    @Override
    public Optional<SignedFragmentPlan> plan(ContentHash tessera) {
        Optional<SignedFragmentPlan> own = own(tessera);
        return own.isPresent() ? own : accepted(tessera);
    }
}
