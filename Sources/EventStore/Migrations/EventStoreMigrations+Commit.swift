extension EventStoreMigrations {
    /// The lanes' batch call, cut to what a batch of appends to distinct streams needs.
    ///
    /// `promo_commit_many` decides each append in turn against the heads as the appends before it left them,
    /// inside a subtransaction, through three nested calls; most of its time went to that machinery, not to
    /// the rows (measured with pgbench driving it at 8 appends per call: about 1.1 ms of backend CPU, of which
    /// the inserts are a quarter). When no stream is in two appends of a batch and no command id twice, the
    /// appends are independent and every decision is against the stored head, so `promo_commit_batch` makes
    /// them set-based, in one procedure: the heads are read only when some stream expects a version other
    /// than "no stream", and then every stream's, so a conflict names them all (a batch of `noStream` appends
    /// needs no read: version 1 is unique, so an existing stream fails the insert); the recorded commands only
    /// when some append carries a command id; positions and versions
    /// of the whole batch in two statements; the events in one insert that computes each canonical text and
    /// hash (several events of one stream are chained in a loop first). There is no subtransaction: anything
    /// that fails — a concurrent writer took a version, a `noStream` stream exists, a duplicate event id or
    /// command id, a lock wait past `p_lock_timeout_ms` — fails the whole call and rolls it back, and the
    /// store runs the batch again through `promo_commit_many`, which finds the guilty append and names every
    /// stream not where expected.
    ///
    /// Arguments as `promo_commit_many`'s, plus: per append `a_first_event` (index of its first event in the
    /// batch, 0-based); per stream slot `s_append` (its append, 1-based) and `s_event_count`; per event `e_slot`
    /// (its stream slot in the whole batch, 1-based) and `e_rank` (1 for its stream's first event in the
    /// append, 2 for the next …). The same result arrays. Events are stored exactly as `promo_append_core`
    /// stores them (hash format 2, the canonical text `promo_event_text` spells out).
    static let batchCommit = Migration(
        version: 7, name: "batch commit for distinct streams",
        statements: [
            """
            CREATE FUNCTION promo_event_text(
                p_stream_id text, p_version bigint, p_position bigint, p_event_id uuid, p_type text, p_schema_version int,
                p_micros text, p_metadata jsonb, p_payload jsonb) RETURNS bytea
            LANGUAGE sql STABLE PARALLEL SAFE AS $$
                SELECT convert_to(concat_ws(E'\\n', p_stream_id, p_version::text, p_position::text, split_part(p_stream_id, '-', 1),
                                            p_event_id::text, p_type, p_schema_version::text, p_micros, p_metadata::text,
                                            p_payload::text), 'UTF8')
            $$
            """,
            """
            CREATE PROCEDURE promo_commit_batch(
                a_command_ids text[], a_request_hashes text[], a_stream_count int[], a_event_count int[], a_first_event int[],
                s_ids text[], s_expected bigint[], s_append int[], s_event_count int[],
                e_slot int[], e_rank int[], e_ids uuid[], e_types text[], e_schema int[], e_payloads jsonb[], e_metadata jsonb[],
                p_lock_timeout_ms int,
                INOUT r_first bigint[] DEFAULT NULL, INOUT r_last bigint[] DEFAULT NULL,
                INOUT r_replayed boolean[] DEFAULT NULL, INOUT r_request_hash text[] DEFAULT NULL,
                INOUT r_error_state text[] DEFAULT NULL, INOUT r_error_constraint text[] DEFAULT NULL,
                INOUT r_error_detail text[] DEFAULT NULL, INOUT r_first_versions bigint[] DEFAULT NULL,
                INOUT r_last_versions bigint[] DEFAULT NULL)
            LANGUAGE plpgsql AS $$
            DECLARE
                genesis constant bytea := '\\x0000000000000000000000000000000000000000000000000000000000000000';
                n_appends int := cardinality(a_command_ids);
                n_slots int := cardinality(s_ids);
                n_events int := cardinality(e_ids);
                read_heads boolean := s_expected <> array_fill(0::bigint, ARRAY[n_slots]);
                with_commands boolean := a_command_ids <> array_fill(''::text, ARRAY[n_appends]);
                ts timestamptz := clock_timestamp();
                micros text := (extract(epoch FROM ts) * 1000000)::bigint::text;
                store record;
                base bigint;
                hv bigint[];
                hh bytea[];
                ok boolean[];
                ev_text bytea[];
                ev_hash bytea[];
                cmd record;
                conflicts jsonb;
                s0 int := 0;
                sc int;
            BEGIN
                IF current_setting('transaction_isolation') <> 'read committed' THEN
                    RAISE EXCEPTION 'appends need the read committed isolation level, not %',
                        current_setting('transaction_isolation') USING ERRCODE = 'PE501';
                END IF;
                IF n_events > 65536 THEN
                    RAISE EXCEPTION 'one transaction may append at most 65536 events' USING ERRCODE = '22023';
                END IF;
                PERFORM set_config('plan_cache_mode', 'force_generic_plan', true),
                        set_config('lock_timeout', greatest(p_lock_timeout_ms, 1)::text || 'ms', true);
                -- Before the offset is read: a reposition (EXCLUSIVE) waits for this append to commit.
                LOCK TABLE events IN ROW EXCLUSIVE MODE;
                SELECT p.floor_position, p.system_identifier::text AS system,
                       (pg_current_xact_id()::text::bigint + p.xid_offset) << 16 AS base
                INTO store FROM event_store_positions p;
                IF current_setting('promo.checked_system', true) IS DISTINCT FROM store.system THEN
                    IF (SELECT c.system_identifier::text FROM pg_control_system() c) <> store.system THEN
                        RAISE EXCEPTION 'this database was moved to another cluster; run promoctl migrate'
                            USING ERRCODE = 'PE503';
                    END IF;
                    PERFORM set_config('promo.checked_system', store.system, false);
                END IF;
                base := store.base;
                IF base <= store.floor_position THEN
                    RAISE EXCEPTION 'new positions would not be above the stored ones; run promoctl migrate'
                        USING ERRCODE = 'PE503';
                END IF;

                ok := array_fill(true, ARRAY[n_appends]);
                r_first := array_fill(0::bigint, ARRAY[n_appends]);
                r_last := r_first;
                r_replayed := array_fill(false, ARRAY[n_appends]);
                r_request_hash := a_request_hashes;
                r_error_state := array_fill(''::text, ARRAY[n_appends]);
                r_error_constraint := r_error_state;
                r_error_detail := r_error_state;
                r_first_versions := array_fill(0::bigint, ARRAY[n_slots]);
                r_last_versions := r_first_versions;
                IF read_heads THEN
                    SELECT array_agg(coalesce(h.stream_version, 0) ORDER BY s.j), array_agg(coalesce(h.hash, genesis) ORDER BY s.j)
                    INTO hv, hh
                    FROM unnest(s_ids) WITH ORDINALITY AS s(id, j)
                    LEFT JOIN LATERAL (SELECT e.stream_version, e.hash FROM events e WHERE e.stream_id = s.id
                                       ORDER BY e.stream_version DESC LIMIT 1) h ON true;
                ELSE
                    hv := r_first_versions;
                    hh := array_fill(genesis, ARRAY[n_slots]);
                END IF;

                IF read_heads OR with_commands THEN
                    FOR a IN 1..n_appends LOOP
                        sc := a_stream_count[a];
                        IF with_commands AND a_command_ids[a] <> '' THEN
                            SELECT c.first_position, c.last_position, c.first_versions, c.last_versions,
                                   encode(c.request_hash, 'hex') AS request_hash
                            INTO cmd FROM commands c WHERE c.command_id = a_command_ids[a];
                            IF FOUND THEN
                                ok[a] := false;
                                r_first[a] := cmd.first_position;
                                r_last[a] := cmd.last_position;
                                r_replayed[a] := true;
                                r_request_hash[a] := cmd.request_hash;
                                FOR k IN 1..least(sc, cardinality(cmd.first_versions)) LOOP
                                    r_first_versions[s0 + k] := cmd.first_versions[k];
                                    r_last_versions[s0 + k] := cmd.last_versions[k];
                                END LOOP;
                            END IF;
                        END IF;
                        IF ok[a] AND read_heads THEN
                            conflicts := NULL;
                            FOR j IN s0 + 1..s0 + sc LOOP
                                IF s_expected[j] <> -1 AND s_expected[j] <> hv[j] THEN
                                    conflicts := coalesce(conflicts, '[]'::jsonb) || jsonb_build_object(
                                        'streamId', s_ids[j], 'expected', s_expected[j], 'actual', hv[j]);
                                END IF;
                            END LOOP;
                            IF conflicts IS NOT NULL THEN
                                ok[a] := false;
                                r_request_hash[a] := '';
                                r_error_state[a] := 'PE409';
                                r_error_detail[a] := conflicts::text;
                            END IF;
                        END IF;
                        s0 := s0 + sc;
                    END LOOP;
                END IF;

                SELECT array_agg(CASE WHEN ok[x.n] THEN base + x.f ELSE x.rf END ORDER BY x.n),
                       array_agg(CASE WHEN ok[x.n] THEN base + x.f + x.c - 1 ELSE x.rl END ORDER BY x.n)
                INTO r_first, r_last
                FROM unnest(a_first_event, a_event_count, r_first, r_last) WITH ORDINALITY AS x(f, c, rf, rl, n);
                SELECT array_agg(CASE WHEN ok[x.a] THEN x.h + 1 ELSE x.fv END ORDER BY x.j),
                       array_agg(CASE WHEN ok[x.a] THEN x.h + x.c ELSE x.lv END ORDER BY x.j)
                INTO r_first_versions, r_last_versions
                FROM unnest(hv, s_event_count, s_append, r_first_versions, r_last_versions) WITH ORDINALITY AS x(h, c, a, fv, lv, j);

                IF n_events <> n_slots THEN
                    -- Some stream takes several events: chain their hashes one after the other.
                    SELECT array_agg(CASE WHEN ok[s_append[x.slot]] THEN promo_event_text(s_ids[x.slot], hv[x.slot] + x.r,
                               base + x.i - 1, x.id, x.t, x.sv, micros, x.md, x.pl) END ORDER BY x.i)
                    INTO ev_text
                    FROM unnest(e_slot, e_rank, e_ids, e_types, e_schema, e_metadata, e_payloads)
                         WITH ORDINALITY AS x(slot, r, id, t, sv, md, pl, i);
                    ev_hash := array_fill(NULL::bytea, ARRAY[n_events]);
                    FOR i IN 1..n_events LOOP
                        CONTINUE WHEN ev_text[i] IS NULL;
                        hh[e_slot[i]] := sha256(hh[e_slot[i]] || ev_text[i]);
                        ev_hash[i] := hh[e_slot[i]];
                    END LOOP;
                END IF;
                IF with_commands THEN
                    INSERT INTO commands (command_id, request_hash, first_position, last_position, stream_ids,
                                          first_versions, last_versions)
                    SELECT a_command_ids[x.n], decode(a_request_hashes[x.n], 'hex'), r_first[x.n], r_last[x.n],
                           s_ids[x.s0 + 1:x.s0 + x.sc], r_first_versions[x.s0 + 1:x.s0 + x.sc], r_last_versions[x.s0 + 1:x.s0 + x.sc]
                    FROM (SELECT u.n, u.sc, (sum(u.sc) OVER (ORDER BY u.n) - u.sc)::int AS s0
                          FROM unnest(a_stream_count) WITH ORDINALITY AS u(sc, n)) x
                    WHERE ok[x.n] AND a_command_ids[x.n] <> ''
                    ORDER BY a_command_ids[x.n];
                END IF;
                INSERT INTO events (position, stream_id, stream_version, category, event_id, event_type,
                                    schema_version, payload, metadata, recorded_at, hash, hash_format)
                SELECT base + x.i - 1, s_ids[x.slot], hv[x.slot] + x.r, split_part(s_ids[x.slot], '-', 1), x.id, x.t, x.sv,
                       x.pl, x.md, ts,
                       coalesce(ev_hash[x.i], sha256(hh[x.slot] || promo_event_text(s_ids[x.slot], hv[x.slot] + x.r,
                                base + x.i - 1, x.id, x.t, x.sv, micros, x.md, x.pl))), 2
                FROM unnest(e_slot, e_rank, e_ids, e_types, e_schema, e_metadata, e_payloads)
                     WITH ORDINALITY AS x(slot, r, id, t, sv, md, pl, i)
                WHERE ok[s_append[x.slot]]
                ORDER BY s_ids[x.slot], x.r;
                COMMIT;
            END
            $$
            """,
        ])
}
