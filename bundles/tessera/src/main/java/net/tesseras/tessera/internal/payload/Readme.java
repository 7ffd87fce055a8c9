package net.tesseras.tessera.internal.payload;

import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import net.tesseras.tessera.Manifest;
import net.tesseras.tessera.Tier;

/**
 * The plain-text README that opens every payload: what the archive holds and how it was cut into
 * fragments, so a person with standard tools and no Tesseras software can get the files back.
 */
final class Readme {

    private Readme() {
    }

    static byte[] text(Manifest manifest) {
        String text = """
                TESSERA PAYLOAD v1
                ==================

                This archive is a tessera: files a person wanted to keep for a long time, with a
                manifest signed by the person who made it. It is a standard POSIX tar (pax)
                archive; any tar program lists and extracts it.

                Tessera (content hash): %s
                Creator (Ed25519 public key, hex): %s
                Created: %s

                WHAT IS INSIDE

                  README                          this text
                  MANIFEST                        the manifest, version 1 (UTF-8 text, LF line ends)
                  identity/ed25519.sig            Ed25519 signature of the exact bytes of MANIFEST (64 raw bytes)
                  identity/creator.pub.ed25519    the creator's Ed25519 public key (32 raw bytes)
                  memories/<hash>/media.<ext>     a file's bytes; <hash> is the BLAKE3 hash of those bytes
                  memories/<hash>/meta.json       that file's metadata; "original_names" lists the name(s)
                                                  it had, relative to the folder that was stored

                The MANIFEST lists one line per file:  <path>  blake3:<hash>  <media type>  <size>
                The same bytes stored under several names appear once under memories/ and once per
                name in MANIFEST. The content hash is BLAKE3 of the 32-byte file hashes (all of them,
                duplicates too) joined in ascending order of their hex text.

                CHECKING IT

                  b3sum memories/*/media.*        each hash must equal its folder name and its MANIFEST line
                  The signature is Ed25519 (RFC 8032) over MANIFEST with the key in
                  identity/creator.pub.ed25519, which must equal the manifest's "creator" line:
                  (printf '\\x30\\x2a\\x30\\x05\\x06\\x03\\x2b\\x65\\x70\\x03\\x21\\x00'; cat identity/creator.pub.ed25519) > creator.der
                  openssl pkeyutl -verify -pubin -inkey creator.der -keyform DER -rawin -in MANIFEST -sigfile identity/ed25519.sig

                GETTING THE FILES BACK

                  Copy each memories/<hash>/media.<ext> to every name in its meta.json
                  "original_names" (the tesseras tool's export does this).

                HOW THIS ARCHIVE WAS STORED (so it can be rebuilt from its fragments)

                The archive (the "payload") was cut into fragments by its length in bytes:
                  tier    payload length                        fragments
                  Small   1 .. %d (below 4 MiB)            1, the whole payload
                  Medium  %d .. %d (below 256 MiB)  %d data + %d parity
                  Large   %d .. %d (10 GiB)     %d data + %d parity
                shard size = ceil(payload length / data fragments). Data fragment i (0 .. data-1)
                holds payload bytes [i * shard size, (i+1) * shard size); the last ones are padded
                with zero bytes to the shard size. Fragments data .. data+parity-1 hold parity.

                Parity is Reed-Solomon over GF(2^8) with the generating polynomial
                x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator element 2. The code is
                systematic: the encoding matrix is a Vandermonde matrix with entry r^c (row r,
                column c, rows 0 .. data+parity-1, 0^0 = 1) multiplied by the inverse of its top
                data x data square, so data fragments are the payload itself. This is the
                construction of Backblaze JavaReedSolomon (and of the Rust crate
                reed-solomon-erasure); either rebuilds missing fragments from any data-many others.
                Each fragment's checksum is BLAKE3 of its bytes, padding included; the fragment
                plan, signed by the creator, lists them with the payload length.

                To rebuild the archive from the data fragments, join fragments 0 .. data-1 in
                order and cut the result at the payload length, e.g. for a Medium tessera:
                  cat 000.shard 001.shard ... 015.shard | head -c <payload length> > payload.tar
                tar ignores the zero padding after the archive's end, so even the uncut join
                extracts the same files:  tar -xf payload.tar
                """.formatted(manifest.contentHash().toHex(), manifest.creator(),
                DateTimeFormatter.ISO_INSTANT.format(manifest.created()),
                Tier.MEDIUM_FROM - 1, Tier.MEDIUM_FROM, Tier.LARGE_FROM - 1, Tier.MEDIUM.dataShards(), Tier.MEDIUM.parityShards(),
                Tier.LARGE_FROM, Tier.MAX_PAYLOAD, Tier.LARGE.dataShards(), Tier.LARGE.parityShards());
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
