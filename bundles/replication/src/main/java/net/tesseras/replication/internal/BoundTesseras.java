package net.tesseras.replication.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import net.tesseras.core.ContentHash;
import net.tesseras.tessera.ExportResult;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraDetails;
import net.tesseras.tessera.TesseraException;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.TesseraService;
import net.tesseras.tessera.TesseraVerification;

/**
 * The tessera service as replication's collaborators see it: whichever one is bound now. The
 * tessera bundle may be stopped or updated while the node runs; meanwhile the node still holds and
 * proves fragments for peers, and what needs the service refuses, naming it.
 */
final class BoundTesseras implements TesseraService {

    private volatile TesseraService target;

    void target(TesseraService service) {
        this.target = service;
    }

    TesseraService targetOrNull() {
        return target;
    }

    private TesseraService require() {
        TesseraService service = target;
        if (service == null) {
            throw new TesseraException("the tessera service is not running on this node (try: lb tessera)");
        }
        return service;
    }

    @Override
    public TesseraInfo create(List<Path> inputs, TesseraProgress progress) {
        return require().create(inputs, progress);
    }

    @Override
    public List<TesseraInfo> list(ContentHash after, int limit) {
        TesseraService service = target;
        return service == null ? List.of() : service.list(after, limit);
    }

    @Override
    public Optional<TesseraInfo> find(ContentHash hash) {
        TesseraService service = target;
        return service == null ? Optional.empty() : service.find(hash);
    }

    @Override
    public TesseraInfo resolve(String hashOrPrefix) {
        return require().resolve(hashOrPrefix);
    }

    @Override
    public TesseraDetails show(ContentHash hash) {
        return require().show(hash);
    }

    @Override
    public TesseraVerification verify(ContentHash hash, TesseraProgress progress) {
        return require().verify(hash, progress);
    }

    @Override
    public ExportResult export(ContentHash hash, Path destination, TesseraProgress progress) {
        return require().export(hash, destination, progress);
    }

    @Override
    public boolean delete(ContentHash hash) {
        return require().delete(hash);
    }

    @Override
    public SortedSet<Integer> rebuild(SignedFragmentPlan plan, Set<Integer> indices, TesseraProgress progress) {
        return require().rebuild(plan, indices, progress);
    }

    @Override
    public TesseraInfo adopt(SignedFragmentPlan plan, TesseraProgress progress) {
        return require().adopt(plan, progress);
    }
}
