package net.tesseras.tessera.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import net.tesseras.core.ContentHash;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.Manifest;
import net.tesseras.tessera.ManifestEntry;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraException;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.internal.payload.PayloadReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes up a tessera created elsewhere whose fragments were fetched into the store: the payload
 * rebuilt from them must carry a manifest of the plan's tessera, signed by the plan's creator, with
 * every file as listed; only then is the tessera recorded, complete, with that manifest and plan.
 */
final class TesseraAdopter {

    private static final Logger LOG = LoggerFactory.getLogger(TesseraAdopter.class);
    private static final HexFormat HEX = HexFormat.of();

    private final TesseraTable table;
    private final Collaborators services;
    private final Path workRoot;
    private final Set<ContentHash> inProgress;

    TesseraAdopter(TesseraTable table, Collaborators services, Path workRoot, Set<ContentHash> inProgress) {
        this.table = table;
        this.services = services;
        this.workRoot = workRoot;
        this.inProgress = inProgress;
    }

    TesseraInfo adopt(SignedFragmentPlan signed, TesseraProgress progress) {
        FragmentPlan plan = FragmentRebuilder.requireSigned(signed, "adopt a tessera");
        ContentHash hash = plan.tessera();
        Optional<TesseraTable.Row> existing = table.find(hash);
        if (existing.isPresent() && existing.get().state() == TesseraTable.State.COMPLETE) {
            return existing.get().info();
        }
        if (!inProgress.add(hash)) {
            throw TesseraCreator.busy(hash);
        }
        try {
            if (table.find(hash).isPresent()) {
                throw new TesseraException("tessera " + hash + " has a record left half-done by a command here"
                        + " (being created or deleted); restart the node to finish it, then adopt again");
            }
            try (WorkDirectory work = WorkDirectory.create(workRoot, "adopt")) {
                PayloadRestorer.Restored restored = PayloadRestorer.restore(services.store(), services.coder(), plan, work,
                        progress, Set.of());
                PayloadReader.Checked checked;
                try (InputStream in = Files.newInputStream(restored.payload())) {
                    checked = new PayloadReader().checkKeepingManifest(in);
                }
                Manifest manifest = requireMatching(plan, checked);
                TesseraInfo info = new TesseraInfo(hash, HEX.formatHex(plan.creatorKey()), manifest.created(),
                        manifest.entries().size(), manifest.entries().stream().mapToLong(ManifestEntry::size).sum(),
                        plan.tier(), plan.payloadLength(), plan.shardSize());
                if (!table.insertComplete(info, checked.signed().manifest(), checked.signed().signature(), signed.toBytes())) {
                    return table.find(hash).filter(r -> r.state() == TesseraTable.State.COMPLETE)
                            .map(TesseraTable.Row::info)
                            .orElseThrow(() -> new TesseraException("tessera " + hash + " was recorded by another"
                                    + " command meanwhile; try again"));
                }
                LOG.info("Adopted tessera {} by creator {}: {} files, {} bytes", hash, info.creator(), info.files(),
                        info.size());
                return info;
            } catch (IOException | UncheckedIOException e) {
                throw new TesseraException("cannot adopt tessera " + hash + ": " + e.getMessage(), e);
            }
        } finally {
            inProgress.remove(hash);
        }
    }

    /** The payload's manifest, once it is sound, of the plan's tessera and signed by the plan's creator. */
    private static Manifest requireMatching(FragmentPlan plan, PayloadReader.Checked checked) {
        ContentHash hash = plan.tessera();
        if (!checked.check().ok()) {
            throw new TesseraException("tessera " + hash + " is not adopted: the payload rebuilt from its fragments"
                    + " has problems:\n" + checked.check().describe());
        }
        Manifest manifest = checked.check().manifest().orElseThrow();
        if (!manifest.contentHash().equals(hash)) {
            throw new TesseraException("tessera " + hash + " is not adopted: the payload its plan describes holds the"
                    + " manifest of tessera " + manifest.contentHash() + "; the plan does not belong to these fragments");
        }
        byte[] payloadCreator = checked.signed().creatorKey();
        if (!Arrays.equals(payloadCreator, plan.creatorKey())) {
            throw new TesseraException("tessera " + hash + " is not adopted: its manifest is signed by "
                    + HEX.formatHex(payloadCreator) + ", its fragment plan by " + HEX.formatHex(plan.creatorKey())
                    + "; a plan must come from the tessera's creator");
        }
        return manifest;
    }
}
