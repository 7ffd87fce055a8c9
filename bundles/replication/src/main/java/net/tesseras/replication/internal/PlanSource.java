package net.tesseras.replication.internal;

import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.tessera.SignedFragmentPlan;

/** The signed fragment plans this node knows: of tesseras it created or adopted, and of those it accepted to hold. */
public interface PlanSource {

    Optional<SignedFragmentPlan> plan(ContentHash tessera);
}
