package net.tesseras.common.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;

/**
 * The index row of a fragment as the SQLite-backed stores keep it: hex hashes, epoch
 * milliseconds, parity as 0/1. Select {@link #COLUMNS} and read each row with {@link #info}.
 */
public final class FragmentRows {

    /** The columns {@link #info} reads, in its order. */
    public static final String COLUMNS = "tessera, idx, parity, checksum, size, stored_at, last_verified";

    private FragmentRows() {}

    public static FragmentInfo info(ResultSet rs) throws SQLException {
        FragmentId id = new FragmentId(ContentHash.parse(rs.getString(1)), rs.getInt(2), rs.getInt(3) == 1,
                ContentHash.parse(rs.getString(4)));
        long verified = rs.getLong(7);
        Optional<Instant> lastVerified = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(verified));
        return new FragmentInfo(id, rs.getLong(5), Instant.ofEpochMilli(rs.getLong(6)), lastVerified);
    }
}
