extension EventStoreMigrations {
    /// The read of a projection worker's batch (events of some types after a position, below the watermark, in
    /// position order) as a function whose plan does not depend on statistics.
    ///
    /// Planned on statistics from an earlier mix of events (autovacuum analysed the table while it held mostly
    /// products and campaigns, then orders poured in), the query estimated one matching row and sorted a
    /// sequential scan of the whole table by position for every batch, turning every matching payload into
    /// text on the way: `tools/bench projections` rebuilt the read models in 15–17 s instead of 7.5 s in about one
    /// run of four over 300,000 events. In position order along the primary key, a batch reads from its
    /// checkpoint to its last event and stops, whatever the estimates. The rows are gathered before they are
    /// returned (`RETURN QUERY`): `work_mem` is raised inside the function so that a batch of order payloads
    /// (5,000 of a few kB) stays in memory rather than spilling to a temporary file.
    static let typedReads = Migration(
        version: 9, name: "projection batch reads in position order whatever the statistics",
        statements: [
            """
            CREATE FUNCTION promo_read_committed(p_after bigint, p_below bigint, p_types text[], p_limit bigint)
            RETURNS TABLE (o_position bigint, o_stream_id text, o_stream_version bigint, o_event_id uuid,
                           o_event_type text, o_schema_version int, o_payload text, o_metadata text,
                           o_recorded_at timestamptz)
            LANGUAGE plpgsql STABLE
            SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off SET work_mem = '64MB' AS $$
            BEGIN
                RETURN QUERY
                SELECT e.position, e.stream_id, e.stream_version, e.event_id, e.event_type, e.schema_version,
                       e.payload::text, e.metadata::text, e.recorded_at
                FROM events e
                WHERE e.position > p_after AND e.position < p_below AND e.event_type = ANY(p_types)
                ORDER BY e.position LIMIT p_limit;
            END
            $$
            """
        ])
}

extension EventStoreMigrations {
    /// A projection batch's read that leaves out, in the database, the payload members the reader omits whole
    /// at the top level (`p_drop`), for payloads large enough for it to pay.
    ///
    /// Turning `jsonb` into text was most of the read's cost when eight read models were rebuilt at once
    /// (`escape_json` and its callers, 60 % of the read function's samples under `perf`), and an order's payload
    /// is 1.9 kB of text of which a read model may need a third. Measured over 47,080 order payloads: all of it
    /// as text 425 ms; without `quote`, `record` and `reservations` 172 ms; without `record`, `reservations` and
    /// `campaigns` 365 ms. On a payload of 100 bytes the removal costs more than the text it saves (22 → 31 ms
    /// over 42,300), hence the size test (`pg_column_size` reads the stored size without decompressing). The
    /// parser still skips every omitted member, so what the reader gets is the same either way. Events of the
    /// types in `p_unread` (a reader that only counts them) come with `{}` for their payload.
    static let typedReadsDropping = Migration(
        version: 10, name: "projection batch reads leave out omitted top-level members",
        statements: [
            """
            CREATE FUNCTION promo_read_committed(p_after bigint, p_below bigint, p_types text[], p_limit bigint,
                                                 p_drop text[], p_unread text[])
            RETURNS TABLE (o_position bigint, o_stream_id text, o_stream_version bigint, o_event_id uuid,
                           o_event_type text, o_schema_version int, o_payload text, o_metadata text,
                           o_recorded_at timestamptz)
            LANGUAGE plpgsql STABLE
            SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off SET work_mem = '64MB' AS $$
            BEGIN
                RETURN QUERY
                SELECT e.position, e.stream_id, e.stream_version, e.event_id, e.event_type, e.schema_version,
                       CASE WHEN e.event_type = ANY(p_unread) THEN '{}'
                            WHEN cardinality(p_drop) > 0 AND pg_column_size(e.payload) >= 1024
                            THEN (e.payload - p_drop)::text ELSE e.payload::text END,
                       e.metadata::text, e.recorded_at
                FROM events e
                WHERE e.position > p_after AND e.position < p_below AND e.event_type = ANY(p_types)
                ORDER BY e.position LIMIT p_limit;
            END
            $$
            """
        ])
}
