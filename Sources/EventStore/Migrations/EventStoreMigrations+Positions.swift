extension EventStoreMigrations {
    /// Positions that survive the database moving to another cluster.
    ///
    /// A position is `(transaction id + offset) << 16 | index`. Transaction ids belong to the cluster: after a
    /// `pg_dump`/`pg_restore` into a new cluster (or a move by logical replication) they start low again, and
    /// new events would get positions below the restored ones and below every subscriber's checkpoint. The
    /// offset lives in `event_store_positions`, with the identifier of the cluster it was computed for
    /// (`pg_control_system().system_identifier`) and the highest position at that time (`floor_position`).
    ///
    /// `promo_reposition()` (run by every `promoctl migrate` and at server start) detects a move, a cluster
    /// whose next transaction id plus the offset would not place new events above every stored one, and raises
    /// the offset so they are above again. It takes `EXCLUSIVE` on `events` first: every append holds
    /// `ROW EXCLUSIVE` from before it reads the offset until it commits, so no append runs with the old
    /// offset once the new one is visible, and the watermark (`promo_watermark()`) stays safe throughout.
    ///
    /// Until then appends refuse to run (SQLSTATE `PE503`): the cluster's identifier is checked once per
    /// session, and every append checks that its positions are above `floor_position`.
    static let movablePositions = Migration(
        version: 4, name: "movable positions",
        statements: [
            """
            CREATE TABLE event_store_positions (
                singleton           boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
                xid_offset          bigint      NOT NULL CHECK (xid_offset >= 0),
                system_identifier   bigint      NOT NULL,
                floor_position      bigint      NOT NULL,
                moved_at            timestamptz NOT NULL DEFAULT now())
            """,
            // A store created before this step keeps its positions: offset 0 is what they were computed with.
            """
            INSERT INTO event_store_positions (xid_offset, system_identifier, floor_position)
            SELECT 0, (SELECT system_identifier FROM pg_control_system()), coalesce(max(position), 0) FROM events
            """,
            """
            CREATE FUNCTION promo_position_offset() RETURNS bigint LANGUAGE sql STABLE AS $$
                SELECT xid_offset FROM event_store_positions
            $$
            """,
            // The first position the current transaction may use. Assigns the transaction an id.
            """
            CREATE FUNCTION promo_position_base() RETURNS bigint LANGUAGE sql VOLATILE AS $$
                SELECT (pg_current_xact_id()::text::bigint + promo_position_offset()) << 16
            $$
            """,
            // Every position below this is final: no transaction that can still commit can write below it.
            """
            CREATE FUNCTION promo_watermark() RETURNS bigint LANGUAGE sql STABLE AS $$
                SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint + promo_position_offset()) << 16
            $$
            """,
            // What /readyz reports; assigns no transaction id.
            """
            CREATE FUNCTION promo_position_status(
                OUT ok boolean, OUT xid_offset bigint, OUT next_position bigint, OUT max_position bigint,
                OUT recorded_system_identifier bigint, OUT system_identifier bigint)
            LANGUAGE sql STABLE AS $$
                SELECT p.system_identifier = c.system_identifier AND n.next > m.max AND n.next > p.floor_position,
                       p.xid_offset, n.next, m.max, p.system_identifier, c.system_identifier
                FROM event_store_positions p, pg_control_system() c,
                     LATERAL (SELECT coalesce(max(position), 0) AS max FROM events) m,
                     LATERAL (SELECT (pg_snapshot_xmax(pg_current_snapshot())::text::bigint + p.xid_offset) << 16
                              AS next) n
            $$
            """,
            """
            CREATE FUNCTION promo_reposition(OUT moved boolean, OUT old_offset bigint, OUT new_offset bigint)
            LANGUAGE plpgsql AS $$
            DECLARE
                cur_system bigint;
                rec event_store_positions;
                max_pos bigint;
                own_xid bigint;
            BEGIN
                SELECT c.system_identifier INTO cur_system FROM pg_control_system() c;
                SELECT * INTO rec FROM event_store_positions;
                SELECT coalesce(max(position), 0) INTO max_pos FROM events;
                moved := false;
                old_offset := rec.xid_offset;
                new_offset := rec.xid_offset;
                IF rec.system_identifier = cur_system
                   AND (pg_snapshot_xmax(pg_current_snapshot())::text::bigint + rec.xid_offset) << 16 > max_pos THEN
                    RETURN;
                END IF;
                -- Wait for every running append and keep new ones out until this transaction commits.
                LOCK TABLE events IN EXCLUSIVE MODE;
                SELECT * INTO rec FROM event_store_positions FOR UPDATE;
                SELECT coalesce(max(position), 0) INTO max_pos FROM events;
                -- Every later transaction has a larger id than this one: above max_pos from there on.
                own_xid := pg_current_xact_id()::text::bigint;
                new_offset := greatest(rec.xid_offset, (max_pos >> 16) + 1 - own_xid);
                UPDATE event_store_positions
                SET xid_offset = new_offset, system_identifier = cur_system, floor_position = max_pos,
                    moved_at = now();
                moved := true;
            END
            $$
            """,
            // Hash format 2 also covers position and category; events written before keep format 1.
            "ALTER TABLE events ADD COLUMN hash_format smallint NOT NULL DEFAULT 1 CHECK (hash_format IN (1, 2))",
            "DROP FUNCTION promo_append_batch",
            "DROP FUNCTION promo_append",
        ])
}
