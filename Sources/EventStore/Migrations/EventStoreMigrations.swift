/// The event store's schema, step by step. Never edit a released step: add a new one.
public enum EventStoreMigrations {
    public static let all: [Migration] = [
        eventStore, appendFunction, batchAppendFunction, movablePositions, setBasedAppend, lz4Payloads, batchCommit,
        cachedPlans, typedReads, typedReadsDropping,
    ]

    /// Payloads past 2 kB (an order with its quote) are compressed when stored; LZ4 costs a fraction of the CPU of
    /// PostgreSQL's default pglz, which was the biggest single cost of placing an order on the database side.
    /// Rows stored before keep their compression. A server built without LZ4 keeps pglz.
    static let lz4Payloads = Migration(
        version: 6, name: "lz4 payload compression",
        statements: [Migration.compressWithLZ4(table: "events", column: "payload", what: "payloads")])

    static let eventStore = Migration(
        version: 1, name: "event store",
        statements: [
            // position = (xid8 of the writing transaction << 16) | index within the append. See `appendFunction`.
            """
            CREATE TABLE events (
                position        bigint      PRIMARY KEY,
                stream_id       text        NOT NULL,
                stream_version  bigint      NOT NULL CHECK (stream_version > 0),
                category        text        NOT NULL,
                event_id        uuid        NOT NULL UNIQUE,
                event_type      text        NOT NULL,
                schema_version  integer     NOT NULL CHECK (schema_version > 0),
                payload         jsonb       NOT NULL,
                metadata        jsonb       NOT NULL,
                recorded_at     timestamptz NOT NULL,
                hash            bytea       NOT NULL,
                CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version))
            """,
            "CREATE INDEX events_category_position ON events (category, position)",
            """
            CREATE TABLE commands (
                command_id      text        PRIMARY KEY,
                request_hash    bytea       NOT NULL,
                first_position  bigint      NOT NULL,
                last_position   bigint      NOT NULL,
                stream_ids      text[]      NOT NULL,
                first_versions  bigint[]    NOT NULL,
                last_versions   bigint[]    NOT NULL,
                recorded_at     timestamptz NOT NULL DEFAULT now())
            """,
            """
            CREATE TABLE subscription_checkpoints (
                name        text        PRIMARY KEY,
                position    bigint      NOT NULL,
                updated_at  timestamptz NOT NULL DEFAULT now())
            """,
        ])

    /// The atomic multi-stream append, server-side so that one append is one statement and one round trip.
    ///
    /// Positions: an event's global position is the 64-bit id of the transaction that wrote it, shifted left
    /// 16 bits, plus its index in the append (one transaction appends at most 65,536 events). Transaction ids are
    /// handed out in increasing order and every transaction still able to commit has an id at or above the
    /// oldest running one (`pg_snapshot_xmin`), so every position below `xmin << 16` is final: a reader that
    /// stops there reads in position order and never skips an event that commits late. No sequence, no lock:
    /// appends to different streams run and commit fully in parallel. Positions are unique and increasing,
    /// not dense.
    ///
    /// Versions: the stream's head comes from the `(stream_id, stream_version)` index, and that unique index
    /// is what decides a race: of two appends taking the same version, the second fails (23505) and the store
    /// re-runs it with `p_check_heads`, which reports the conflict with the actual version (or, for `any`,
    /// appends after the winner). `noStream` needs no head read on the first run: version 1 is unique.
    ///
    /// Errors: SQLSTATE `PE409` (detail: JSON array of version conflicts), `PE002` (the command id was
    /// recorded by a concurrent transaction). Either rolls the whole append back.
    static let appendFunction = Migration(
        version: 2, name: "append function",
        statements: [
            """
            CREATE FUNCTION promo_append(
                p_stream_ids text[], p_expected bigint[], p_event_stream int[], p_event_ids uuid[], p_types text[],
                p_schema_versions int[], p_payloads jsonb[], p_metadata jsonb[], p_command_id text, p_request_hash bytea,
                p_check_heads boolean)
            RETURNS TABLE (first_position bigint, last_position bigint, first_versions bigint[], last_versions bigint[],
                           replayed boolean, request_hash bytea)
            LANGUAGE plpgsql AS $$
            DECLARE
                n int := cardinality(p_event_ids);
                m int := cardinality(p_stream_ids);
                xbase bigint;
                base bigint;
                v bigint;
                h bytea;
                idx int;
                conflicts jsonb := '[]'::jsonb;
                cur_version bigint[] := array_fill(0::bigint, ARRAY[m]);
                first_version bigint[] := array_fill(0::bigint, ARRAY[m]);
                cur_hash bytea[] := array_fill(NULL::bytea, ARRAY[m]);
                ev_stream text[] := '{}';
                ev_category text[] := '{}';
                ev_version bigint[] := '{}';
                ev_hash bytea[] := '{}';
                ts timestamptz := clock_timestamp();
                micros bigint := (extract(epoch FROM ts) * 1000000)::bigint;
                genesis constant bytea := '\\x0000000000000000000000000000000000000000000000000000000000000000';
            BEGIN
                IF p_command_id IS NOT NULL THEN
                    RETURN QUERY SELECT c.first_position, c.last_position, c.first_versions, c.last_versions, true,
                                        c.request_hash
                                 FROM commands c WHERE c.command_id = p_command_id;
                    IF FOUND THEN RETURN; END IF;
                END IF;
                -- Several appends in one transaction share its id: continue after the ones already written.
                xbase := pg_current_xact_id()::text::bigint << 16;
                SELECT coalesce(max(e.position) + 1, xbase) INTO base FROM events e
                WHERE e.position >= xbase AND e.position < xbase + 65536;
                IF base + n > xbase + 65536 THEN
                    RAISE EXCEPTION 'one transaction may append at most 65536 events' USING ERRCODE = '22023';
                END IF;

                FOR i IN 1..m LOOP
                    IF p_expected[i] = 0 AND NOT p_check_heads THEN
                        v := 0;
                        h := genesis;
                    ELSE
                        SELECT e.stream_version, e.hash INTO v, h FROM events e
                        WHERE e.stream_id = p_stream_ids[i] ORDER BY e.stream_version DESC LIMIT 1;
                        IF NOT FOUND THEN
                            v := 0;
                            h := genesis;
                        END IF;
                        IF p_expected[i] <> -1 AND p_expected[i] <> v THEN
                            conflicts := conflicts || jsonb_build_object(
                                'streamId', p_stream_ids[i], 'expected', p_expected[i], 'actual', v);
                        END IF;
                    END IF;
                    cur_version[i] := v;
                    first_version[i] := v + 1;
                    cur_hash[i] := h;
                END LOOP;
                IF jsonb_array_length(conflicts) > 0 THEN
                    RAISE EXCEPTION 'wrong expected version' USING ERRCODE = 'PE409', DETAIL = conflicts::text;
                END IF;

                FOR i IN 1..n LOOP
                    idx := p_event_stream[i];
                    cur_version[idx] := cur_version[idx] + 1;
                    cur_hash[idx] := sha256(cur_hash[idx] || convert_to(concat_ws(E'\\n',
                        p_stream_ids[idx], cur_version[idx]::text, p_event_ids[i]::text, p_types[i],
                        p_schema_versions[i]::text, micros::text, p_metadata[i]::text, p_payloads[i]::text), 'UTF8'));
                    ev_stream := ev_stream || p_stream_ids[idx];
                    ev_category := ev_category || split_part(p_stream_ids[idx], '-', 1);
                    ev_version := ev_version || cur_version[idx];
                    ev_hash := ev_hash || cur_hash[idx];
                END LOOP;

                IF n = 1 THEN  -- the common case, without the cost of unnest
                    INSERT INTO events (position, stream_id, stream_version, category, event_id, event_type,
                                        schema_version, payload, metadata, recorded_at, hash)
                    VALUES (base, ev_stream[1], ev_version[1], ev_category[1], p_event_ids[1], p_types[1],
                            p_schema_versions[1], p_payloads[1], p_metadata[1], ts, ev_hash[1]);
                ELSE
                    INSERT INTO events (position, stream_id, stream_version, category, event_id, event_type,
                                        schema_version, payload, metadata, recorded_at, hash)
                    SELECT base + o - 1, s, ver, c, e, t, sv, pl, md, ts, hh
                    FROM unnest(ev_stream, ev_version, ev_category, p_event_ids, p_types, p_schema_versions,
                                p_payloads, p_metadata, ev_hash) WITH ORDINALITY AS x(s, ver, c, e, t, sv, pl, md, hh, o);
                END IF;

                IF p_command_id IS NOT NULL THEN
                    INSERT INTO commands (command_id, request_hash, first_position, last_position, stream_ids,
                                          first_versions, last_versions)
                    VALUES (p_command_id, p_request_hash, base, base + n - 1, p_stream_ids, first_version, cur_version)
                    ON CONFLICT (command_id) DO NOTHING;
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'command recorded concurrently' USING ERRCODE = 'PE002';
                    END IF;
                END IF;

                RETURN QUERY SELECT base, base + n - 1, first_version, cur_version, false, p_request_hash;
            END
            $$
            """
        ])
}

extension EventStoreMigrations {
    /// Group commit: several independent appends in one transaction, each in its own subtransaction.
    ///
    /// Append `a` uses `p_stream_ids[p_stream_from[a]:p_stream_to[a]]` and the events in
    /// `p_event_from[a]..p_event_to[a]` (whose `p_event_stream` indexes count within the append); an empty
    /// command id or request hash (hex) stands for none. One append's
    /// failure rolls back only its subtransaction and comes back as its row's `error_state` (SQLSTATE),
    /// `error_constraint` and `error_detail`; the others commit together. Positions stay unique and ordered:
    /// all appends of a batch share its transaction id and continue one after the other.
    static let batchAppendFunction = Migration(
        version: 3, name: "batch append function",
        statements: [
            """
            CREATE FUNCTION promo_append_batch(
                p_stream_from int[], p_stream_to int[], p_event_from int[], p_event_to int[], p_command_ids text[],
                p_request_hashes text[], p_check_heads boolean[],
                p_stream_ids text[], p_expected bigint[], p_event_stream int[], p_event_ids uuid[], p_types text[],
                p_schema_versions int[], p_payloads jsonb[], p_metadata jsonb[])
            RETURNS TABLE (append_index int, first_position bigint, last_position bigint, first_versions bigint[],
                           last_versions bigint[], replayed boolean, request_hash bytea, error_state text,
                           error_constraint text, error_detail text)
            LANGUAGE plpgsql AS $$
            DECLARE
                r record;
                s1 int;
                s2 int;
                e1 int;
                e2 int;
                st text;
                con text;
                det text;
            BEGIN
                FOR a IN 1..cardinality(p_stream_from) LOOP
                    s1 := p_stream_from[a]; s2 := p_stream_to[a]; e1 := p_event_from[a]; e2 := p_event_to[a];
                    BEGIN
                        SELECT * INTO r FROM promo_append(
                            p_stream_ids[s1:s2], p_expected[s1:s2], p_event_stream[e1:e2], p_event_ids[e1:e2],
                            p_types[e1:e2], p_schema_versions[e1:e2], p_payloads[e1:e2], p_metadata[e1:e2],
                            nullif(p_command_ids[a], ''), decode(nullif(p_request_hashes[a], ''), 'hex'),
                            p_check_heads[a]);
                        RETURN QUERY SELECT a, r.first_position, r.last_position, r.first_versions, r.last_versions,
                                            r.replayed, r.request_hash, NULL::text, NULL::text, NULL::text;
                    EXCEPTION WHEN OTHERS THEN
                        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, con = CONSTRAINT_NAME, det = PG_EXCEPTION_DETAIL;
                        RETURN QUERY SELECT a, NULL::bigint, NULL::bigint, NULL::bigint[], NULL::bigint[], NULL::boolean,
                                            NULL::bytea, st, con, det;
                    END;
                END LOOP;
            END
            $$
            """
        ])
}
