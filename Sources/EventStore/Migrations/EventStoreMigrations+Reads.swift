extension EventStoreMigrations {
    /// Statements the server planned on every call, now planned once per session.
    ///
    /// The tail read of several streams (``PostgresEventStore/readStreams(after:limit:)``) as a function.
    ///
    /// Every command reads its streams' tails, often twice (pricing, then its batch): sent as a statement of its
    /// own, the query was parsed and planned on every call, and planning cost more than running it (measured
    /// with `pg_stat_statements.track_planning` under `tools/bench orders`: 0.07 ms to plan, 0.055 ms to run).
    /// Inside a PL/pgSQL function the plan is made once per session and reused.
    ///
    /// A plan kept for the session must not depend on the table's statistics: one made while `events` was
    /// small (a new database, before autovacuum's first analyze) joined the wanted streams to a sequential scan
    /// of the table, and kept doing so as it grew, 100 times slower within a minute of orders. So each stream is
    /// read by its own index range (`LATERAL`, ordered by version) and sequential scans are off inside the
    /// function: the plan is the same at 10 events as at 10 million.
    ///
    /// `promo_append_in_transaction` is `promo_append_many` as a procedure, for appends inside a caller's
    /// transaction (a command that records its Idempotency-Key with its events). Called as `SELECT * FROM
    /// promo_append_many(…)`, every call was planned with its arrays of payloads as constants, copied several
    /// times over: 0.57 ms of planning per call under `tools/bench orders`, a third of the call. `CALL` is not
    /// planned. It does not commit: the caller's transaction does.
    static let cachedPlans = Migration(
        version: 8, name: "stream tail reads and in-transaction appends without per-call planning",
        statements: [
            """
            CREATE FUNCTION promo_read_streams(p_ids text[], p_after bigint[], p_limit bigint)
            RETURNS TABLE (o_position bigint, o_stream_id text, o_stream_version bigint, o_event_id uuid,
                           o_event_type text, o_schema_version int, o_payload text, o_metadata text,
                           o_recorded_at timestamptz)
            LANGUAGE plpgsql STABLE SET enable_seqscan = off AS $$
            BEGIN
                RETURN QUERY
                SELECT e.position, e.stream_id, e.stream_version, e.event_id, e.event_type, e.schema_version,
                       e.payload::text, e.metadata::text, e.recorded_at
                FROM unnest(p_ids, p_after) AS wanted(stream_id, after_version)
                CROSS JOIN LATERAL (
                    SELECT * FROM events x
                    WHERE x.stream_id = wanted.stream_id AND x.stream_version > wanted.after_version
                    ORDER BY x.stream_version LIMIT p_limit) e
                ORDER BY e.stream_id, e.stream_version LIMIT p_limit;
            END
            $$
            """,
            """
            CREATE PROCEDURE promo_append_in_transaction(
                a_command_ids text[], a_request_hashes text[], a_stream_count int[], a_event_count int[],
                s_ids text[], s_expected bigint[], s_key int[], d_ids text[],
                e_slot int[], e_ids uuid[], e_types text[], e_schema int[], e_payloads jsonb[], e_metadata jsonb[],
                p_lock_timeout_ms int,
                INOUT r_first bigint[], INOUT r_last bigint[], INOUT r_replayed boolean[], INOUT r_request_hash text[],
                INOUT r_error_state text[], INOUT r_error_constraint text[], INOUT r_error_detail text[],
                INOUT r_first_versions bigint[], INOUT r_last_versions bigint[])
            LANGUAGE plpgsql AS $$
            BEGIN
                SELECT * INTO r_first, r_last, r_replayed, r_request_hash, r_error_state, r_error_constraint,
                              r_error_detail, r_first_versions, r_last_versions
                FROM promo_append_many(a_command_ids, a_request_hashes, a_stream_count, a_event_count, s_ids,
                                       s_expected, s_key, d_ids, e_slot, e_ids, e_types, e_schema, e_payloads,
                                       e_metadata, p_lock_timeout_ms);
            END
            $$
            """,
        ])
}
