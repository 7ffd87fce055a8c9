package net.tesseras.itest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.inject.Inject;
import net.tesseras.erasure.ErasureCoder;
import net.tesseras.storage.FragmentStore;
import net.tesseras.tessera.ExportResult;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.TesseraService;
import net.tesseras.tessera.TesseraVerification;
import net.tesseras.tessera.Tier;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The tessera service in Felix with the real identity, database, fs store, cache and coder
 * bundles: a tessera is created, verified and exported, its fragments in the node's store, its
 * manifest signed by the node's key (Tika, Commons Compress and Gson resolved as bundles).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TesseraIT {

    @Inject
    private BundleContext context;

    @Inject
    private TesseraService tesseras;

    /** Injected so the test waits for the tessera bundle's coder service. */
    @Inject
    private ErasureCoder coder;

    @Configuration
    public Option[] config() {
        return TesserasOptions.node("tessera");
    }

    @Test
    public void aTesseraIsCreatedVerifiedAndExportedThroughTheNodesBundles() throws Exception {
        Path work = Files.createTempDirectory(Path.of(System.getProperty("itest.work", "target/itest-work")), "tessera-files");
        Path album = work.resolve("album");
        Files.createDirectories(album.resolve("2021"));
        byte[] film = new byte[5 << 20];
        new Random(7).nextBytes(film);
        Files.write(album.resolve("2021/film.mp4"), film);
        Files.writeString(album.resolve("letter.txt"), "Dear future,\n");

        TesseraInfo info = Await.value("the identity and the store", () -> {
            try {
                return tesseras.create(List.of(album), TesseraProgress.NONE);
            } catch (RuntimeException e) {
                return e.getMessage().contains("not available") ? null : rethrow(e);
            }
        });
        assertEquals(Tier.MEDIUM, info.tier());
        assertEquals(2, info.files());

        ServiceReference<FragmentStore> front = context.getServiceReferences(FragmentStore.class, "(store.role=front)")
                .iterator().next();
        FragmentStore store = context.getService(front);
        assertEquals(24, store.fragments(info.hash()).size());

        TesseraVerification verification = tesseras.verify(info.hash(), TesseraProgress.NONE);
        assertTrue(verification.toString(), verification.passed());

        assertTrue(store.delete(info.hash(), 1));
        Path out = work.resolve("restored");
        ExportResult exported = tesseras.export(info.hash(), out, TesseraProgress.NONE);
        assertEquals(List.of(1), exported.unusableFragments());
        assertArrayEquals(film, Files.readAllBytes(out.resolve("album/2021/film.mp4")));
        assertEquals("Dear future,\n", Files.readString(out.resolve("album/letter.txt")));
    }

    private static <T> T rethrow(RuntimeException e) {
        throw e;
    }
}
