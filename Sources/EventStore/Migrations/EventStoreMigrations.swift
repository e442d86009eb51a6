/// The event store's schema, step by step. Never edit a released step: add a new one.
public enum EventStoreMigrations {
    public static let all: [Migration] = [eventStore, appendFunction]

    static let eventStore = Migration(
        version: 1, name: "event store",
        statements: [
            "CREATE SEQUENCE events_position_seq AS bigint CACHE 1",
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
                tx_id           xid8        NOT NULL DEFAULT pg_current_xact_id(),
                hash            bytea       NOT NULL,
                UNIQUE (stream_id, stream_version))
            """,
            "CREATE INDEX events_category_position ON events (category, position)",
            """
            CREATE TABLE streams (
                stream_id   text        PRIMARY KEY,
                category    text        NOT NULL,
                version     bigint      NOT NULL,
                last_hash   bytea       NOT NULL,
                updated_at  timestamptz NOT NULL DEFAULT now())
            """,
            """
            CREATE TABLE commands (
                command_id   text        PRIMARY KEY,
                request_hash bytea       NOT NULL,
                result       jsonb       NOT NULL,
                recorded_at  timestamptz NOT NULL DEFAULT now())
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
    /// Positions: the transaction id and the positions are taken together inside a short critical section
    /// (a session advisory lock released before the function goes on), so position order equals
    /// transaction-id order. A reader that only takes events whose `tx_id` is below the oldest running
    /// transaction (`pg_snapshot_xmin`) can then read in position order and never skip a late commit.
    /// The lock is held for microseconds, never across the rest of the transaction: appends to different
    /// streams still run and commit in parallel.
    ///
    /// Errors: SQLSTATE `PE409` (detail: JSON array of version conflicts) and `PE002` (the command id was
    /// recorded by a concurrent transaction). Either rolls the whole append back.
    static let appendFunction = Migration(
        version: 2, name: "append function",
        statements: [
            """
            CREATE FUNCTION promo_append(
                p_stream_ids text[], p_expected bigint[], p_event_stream int[], p_event_ids uuid[], p_types text[],
                p_schema_versions int[], p_payloads jsonb[], p_metadata jsonb[], p_command_id text, p_request_hash bytea)
            RETURNS TABLE (result jsonb, replayed boolean, request_hash bytea)
            LANGUAGE plpgsql AS $$
            DECLARE
                n int := cardinality(p_event_ids);
                first_pos bigint;
                rec record;
                idx int;
                conflicts jsonb := '[]'::jsonb;
                cur_version bigint[] := array_fill(0::bigint, ARRAY[cardinality(p_stream_ids)]);
                first_version bigint[] := array_fill(0::bigint, ARRAY[cardinality(p_stream_ids)]);
                cur_hash bytea[] := array_fill(NULL::bytea, ARRAY[cardinality(p_stream_ids)]);
                ev_stream text[] := '{}';
                ev_category text[] := '{}';
                ev_version bigint[] := '{}';
                ev_hash bytea[] := '{}';
                ts timestamptz := clock_timestamp();
                micros bigint := (extract(epoch FROM ts) * 1000000)::bigint;
                out_streams jsonb := '[]'::jsonb;
                res jsonb;
            BEGIN
                IF p_command_id IS NOT NULL THEN
                    RETURN QUERY SELECT c.result, true, c.request_hash FROM commands c WHERE c.command_id = p_command_id;
                    IF FOUND THEN RETURN; END IF;
                END IF;

                PERFORM pg_advisory_lock(5929368380711223617);
                BEGIN
                    PERFORM pg_current_xact_id();
                    SELECT min(v) INTO first_pos
                    FROM (SELECT nextval('events_position_seq') AS v FROM generate_series(1, n)) s;
                EXCEPTION WHEN OTHERS THEN
                    PERFORM pg_advisory_unlock(5929368380711223617);
                    RAISE;
                END;
                PERFORM pg_advisory_unlock(5929368380711223617);

                INSERT INTO streams (stream_id, category, version, last_hash)
                SELECT s, split_part(s, '-', 1), 0, decode(repeat('00', 32), 'hex')
                FROM unnest(p_stream_ids) AS s ORDER BY s
                ON CONFLICT (stream_id) DO NOTHING;

                FOR rec IN
                    SELECT st.stream_id, st.version, st.last_hash FROM streams st
                    WHERE st.stream_id = ANY (p_stream_ids) ORDER BY st.stream_id FOR UPDATE
                LOOP
                    idx := array_position(p_stream_ids, rec.stream_id);
                    IF p_expected[idx] <> -1 AND p_expected[idx] <> rec.version THEN
                        conflicts := conflicts || jsonb_build_object(
                            'streamId', rec.stream_id, 'expected', p_expected[idx], 'actual', rec.version);
                    END IF;
                    cur_version[idx] := rec.version;
                    first_version[idx] := rec.version + 1;
                    cur_hash[idx] := rec.last_hash;
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

                INSERT INTO events (position, stream_id, stream_version, category, event_id, event_type,
                                    schema_version, payload, metadata, recorded_at, hash)
                SELECT first_pos + o - 1, s, v, c, e, t, sv, pl, md, ts, h
                FROM unnest(ev_stream, ev_version, ev_category, p_event_ids, p_types, p_schema_versions,
                            p_payloads, p_metadata, ev_hash) WITH ORDINALITY AS x(s, v, c, e, t, sv, pl, md, h, o);

                UPDATE streams st SET version = x.v, last_hash = x.h, updated_at = ts
                FROM unnest(p_stream_ids, cur_version, cur_hash) AS x(id, v, h)
                WHERE st.stream_id = x.id;

                FOR i IN 1..cardinality(p_stream_ids) LOOP
                    out_streams := out_streams || jsonb_build_object(
                        'streamId', p_stream_ids[i], 'firstVersion', first_version[i], 'lastVersion', cur_version[i]);
                END LOOP;
                res := jsonb_build_object('firstPosition', first_pos, 'lastPosition', first_pos + n - 1,
                                          'streams', out_streams, 'replayed', false);

                IF p_command_id IS NOT NULL THEN
                    INSERT INTO commands (command_id, request_hash, result)
                    VALUES (p_command_id, p_request_hash, res || '{"replayed": true}'::jsonb)
                    ON CONFLICT (command_id) DO NOTHING;
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'command recorded concurrently' USING ERRCODE = 'PE002';
                    END IF;
                END IF;

                PERFORM pg_notify('promo_events', (first_pos + n - 1)::text);
                RETURN QUERY SELECT res, false, p_request_hash;
            END
            $$
            """
        ])
}
