extension EventStoreMigrations {
    /// The append, set-based: one call writes any number of independent appends (a group-commit batch).
    ///
    /// Arguments, per append `a`: `a_command_ids` (`''` for none), `a_request_hashes` (hex, `''` for none),
    /// `a_stream_count`, `a_event_count`; per stream slot, in append order: `s_ids`, `s_expected` (-1 any,
    /// 0 no stream, n exact) and `s_key`, the slot's index in `d_ids`, the batch's distinct stream ids; per
    /// event: `e_slot` (its stream slot within its append, 1-based), `e_ids`, `e_types`, `e_schema`,
    /// `e_payloads`, `e_metadata`. One row comes back with flat result arrays: per append `r_first`, `r_last`,
    /// `r_replayed`, `r_request_hash`, `r_error_state` (`''` when it succeeded), `r_error_constraint`,
    /// `r_error_detail`; per stream slot `r_first_versions`, `r_last_versions`.
    ///
    /// `promo_append_core` does the work for a set of appends: each command id looked up (a recorded one is
    /// replayed), every stream's head read in one query, each append checked against the heads as the appends
    /// before it in the batch left them (`PE409`, detail: every stream not where expected), then one
    /// multi-row insert of the command rows, then one of the events. Command rows go first so that, of two
    /// concurrent deliveries of one command, the second waits on the first's command row and replays it
    /// instead of failing on an event id. It raises on any failure of the inserts.
    ///
    /// `promo_append_many` runs the core over the whole batch inside one subtransaction. When that fails (a
    /// concurrent writer took a version, a duplicate event id, a lock wait past the batch's budget), it runs
    /// the core again once per append, each in its own subtransaction, so only the guilty append fails: its
    /// row carries the SQLSTATE. Lock waits are bounded: `p_lock_timeout_ms` over the whole batch.
    ///
    /// `promo_append_outcome` settles an append whose outcome the client lost (the connection dropped after the
    /// call was sent): it first waits until no transaction that may still be writing the event id is running,
    /// by inserting a probe row with that id and rolling it back, then returns what is stored under the ids.
    /// Rows mean the append committed; none mean it never will, and it can be run again.
    ///
    /// Both functions use generic plans: their statements take arrays, whose sizes make every custom plan look
    /// cheaper than the generic one, so PostgreSQL would plan them anew on every call (half the append's cost).
    /// A procedure that commits cannot carry such a setting, so `promo_commit_many` only calls them.
    ///
    /// `promo_commit_many` is the same as a procedure that commits before it returns, so a result is only
    /// ever seen after its commit succeeded (an error at commit comes back as the `CALL`'s error).
    static let setBasedAppend = Migration(
        version: 5, name: "set-based append",
        statements: [
            """
            CREATE FUNCTION promo_append_core(
                a_command_ids text[], a_request_hashes text[], a_stream_count int[], a_event_count int[],
                s_ids text[], s_expected bigint[], s_key int[], d_ids text[],
                e_slot int[], e_ids uuid[], e_types text[], e_schema int[], e_payloads jsonb[], e_metadata jsonb[],
                p_xbase bigint,
                OUT r_first bigint[], OUT r_last bigint[], OUT r_replayed boolean[], OUT r_request_hash text[],
                OUT r_error_state text[], OUT r_error_constraint text[], OUT r_error_detail text[],
                OUT r_first_versions bigint[], OUT r_last_versions bigint[])
            LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
            DECLARE
                genesis constant bytea := '\\x0000000000000000000000000000000000000000000000000000000000000000';
                n_appends int := cardinality(a_stream_count);
                n_events int := cardinality(e_ids);
                hv bigint[];
                hh bytea[];
                base bigint;
                ts timestamptz := clock_timestamp();
                micros text := (extract(epoch FROM ts) * 1000000)::bigint::text;
                s0 int := 0;
                e0 int := 0;
                k int;
                ek int[] := array_fill(0, ARRAY[n_events]);
                ev_ver bigint[] := array_fill(0::bigint, ARRAY[n_events]);
                ev_ok boolean[] := array_fill(false, ARRAY[n_events]);
                ev_text bytea[];
                ev_hash bytea[] := array_fill(NULL::bytea, ARRAY[n_events]);
                bad boolean;
                conflicts jsonb;
                cmd record;
                done_cmd text[] := '{}';
                done_at int[] := '{}';
                done_s0 int[] := '{}';
                earlier int;
                with_commands boolean := false;
                inserted int;
            BEGIN
                r_first := array_fill(0::bigint, ARRAY[n_appends]);
                r_last := r_first;
                r_replayed := array_fill(false, ARRAY[n_appends]);
                r_request_hash := array_fill(''::text, ARRAY[n_appends]);
                r_error_state := r_request_hash;
                r_error_constraint := r_request_hash;
                r_error_detail := r_request_hash;
                r_first_versions := array_fill(0::bigint, ARRAY[cardinality(s_ids)]);
                r_last_versions := r_first_versions;

                -- Several calls in one transaction share its id: continue after the events already written. Event
                -- i of the batch takes position base + i - 1, so positions skip the events of refused appends.
                SELECT coalesce(max(e.position) + 1, p_xbase) INTO base FROM events e
                WHERE e.position >= p_xbase AND e.position < p_xbase + 65536;
                IF base + n_events > p_xbase + 65536 THEN
                    RAISE EXCEPTION 'one transaction may append at most 65536 events' USING ERRCODE = '22023';
                END IF;

                SELECT array_agg(coalesce(h.stream_version, 0) ORDER BY d.o), array_agg(coalesce(h.hash, genesis) ORDER BY d.o)
                INTO hv, hh
                FROM unnest(d_ids) WITH ORDINALITY AS d(id, o)
                LEFT JOIN LATERAL (SELECT e.stream_version, e.hash FROM events e WHERE e.stream_id = d.id
                                   ORDER BY e.stream_version DESC LIMIT 1) h ON true;

                -- Decide each append in batch order against the heads as the appends before it left them.
                FOR a IN 1..n_appends LOOP
                    <<one_append>>
                    BEGIN
                        IF a_command_ids[a] <> '' THEN
                            SELECT c.first_position, c.last_position, c.first_versions, c.last_versions,
                                   encode(c.request_hash, 'hex') AS request_hash
                            INTO cmd FROM commands c WHERE c.command_id = a_command_ids[a];
                            IF FOUND THEN
                                r_first[a] := cmd.first_position;
                                r_last[a] := cmd.last_position;
                                r_replayed[a] := true;
                                r_request_hash[a] := cmd.request_hash;
                                FOR j IN 1..least(a_stream_count[a], cardinality(cmd.first_versions)) LOOP
                                    r_first_versions[s0 + j] := cmd.first_versions[j];
                                    r_last_versions[s0 + j] := cmd.last_versions[j];
                                END LOOP;
                                EXIT one_append;
                            END IF;
                            -- The same command twice in one batch: the second replays the first.
                            earlier := array_position(done_cmd, a_command_ids[a]);
                            IF earlier IS NOT NULL THEN
                                r_first[a] := r_first[done_at[earlier]];
                                r_last[a] := r_last[done_at[earlier]];
                                r_replayed[a] := true;
                                r_request_hash[a] := r_request_hash[done_at[earlier]];
                                FOR j IN 1..least(a_stream_count[a], a_stream_count[done_at[earlier]]) LOOP
                                    r_first_versions[s0 + j] := r_first_versions[done_s0[earlier] + j];
                                    r_last_versions[s0 + j] := r_last_versions[done_s0[earlier] + j];
                                END LOOP;
                                EXIT one_append;
                            END IF;
                        END IF;

                        bad := false;
                        FOR j IN s0 + 1..s0 + a_stream_count[a] LOOP
                            bad := bad OR (s_expected[j] <> -1 AND s_expected[j] <> hv[s_key[j]]);
                        END LOOP;
                        IF bad THEN
                            conflicts := '[]'::jsonb;
                            FOR j IN s0 + 1..s0 + a_stream_count[a] LOOP
                                IF s_expected[j] <> -1 AND s_expected[j] <> hv[s_key[j]] THEN
                                    conflicts := conflicts || jsonb_build_object(
                                        'streamId', s_ids[j], 'expected', s_expected[j], 'actual', hv[s_key[j]]);
                                END IF;
                            END LOOP;
                            r_error_state[a] := 'PE409';
                            r_error_detail[a] := conflicts::text;
                            EXIT one_append;
                        END IF;

                        FOR j IN s0 + 1..s0 + a_stream_count[a] LOOP
                            r_first_versions[j] := hv[s_key[j]] + 1;
                        END LOOP;
                        FOR i IN e0 + 1..e0 + a_event_count[a] LOOP
                            k := s_key[s0 + e_slot[i]];
                            hv[k] := hv[k] + 1;
                            ek[i] := k;
                            ev_ver[i] := hv[k];
                            ev_ok[i] := true;
                        END LOOP;
                        FOR j IN s0 + 1..s0 + a_stream_count[a] LOOP
                            r_last_versions[j] := hv[s_key[j]];
                        END LOOP;
                        r_first[a] := base + e0;
                        r_last[a] := base + e0 + a_event_count[a] - 1;
                        r_request_hash[a] := a_request_hashes[a];
                        IF a_command_ids[a] <> '' THEN
                            with_commands := true;
                            done_cmd := done_cmd || a_command_ids[a];
                            done_at := done_at || a;
                            done_s0 := done_s0 || s0;
                        END IF;
                    END;
                    s0 := s0 + a_stream_count[a];
                    e0 := e0 + a_event_count[a];
                END LOOP;

                -- Every written event's canonical text, in one statement; then the chain, stream by stream.
                SELECT array_agg(CASE WHEN ev_ok[x.i] THEN convert_to(concat_ws(E'\\n',
                           d_ids[ek[x.i]], ev_ver[x.i]::text, (base + x.i - 1)::text, split_part(d_ids[ek[x.i]], '-', 1),
                           x.id::text, x.t, x.sv::text, micros, x.md::text, x.pl::text), 'UTF8') END ORDER BY x.i)
                INTO ev_text
                FROM unnest(e_ids, e_types, e_schema, e_metadata, e_payloads) WITH ORDINALITY AS x(id, t, sv, md, pl, i);
                FOR i IN 1..n_events LOOP
                    CONTINUE WHEN NOT ev_ok[i];
                    hh[ek[i]] := sha256(hh[ek[i]] || ev_text[i]);
                    ev_hash[i] := hh[ek[i]];
                END LOOP;

                IF with_commands THEN
                    INSERT INTO commands (command_id, request_hash, first_position, last_position, stream_ids,
                                          first_versions, last_versions)
                    SELECT a_command_ids[c.a], decode(a_request_hashes[c.a], 'hex'), r_first[c.a], r_last[c.a],
                           s_ids[c.s0 + 1:c.s0 + a_stream_count[c.a]],
                           r_first_versions[c.s0 + 1:c.s0 + a_stream_count[c.a]],
                           r_last_versions[c.s0 + 1:c.s0 + a_stream_count[c.a]]
                    FROM unnest(done_at, done_s0) AS c(a, s0)
                    ORDER BY a_command_ids[c.a]
                    ON CONFLICT (command_id) DO NOTHING;
                    GET DIAGNOSTICS inserted = ROW_COUNT;
                    IF inserted < cardinality(done_at) THEN
                        RAISE EXCEPTION 'command recorded concurrently' USING ERRCODE = 'PE002';
                    END IF;
                END IF;
                INSERT INTO events (position, stream_id, stream_version, category, event_id, event_type,
                                    schema_version, payload, metadata, recorded_at, hash, hash_format)
                SELECT base + x.i - 1, d_ids[ek[x.i]], ev_ver[x.i], split_part(d_ids[ek[x.i]], '-', 1), x.id, x.t, x.sv,
                       x.pl, x.md, ts, ev_hash[x.i], 2
                FROM unnest(e_ids, e_types, e_schema, e_metadata, e_payloads) WITH ORDINALITY AS x(id, t, sv, md, pl, i)
                WHERE ev_ok[x.i]
                ORDER BY d_ids[ek[x.i]], ev_ver[x.i];
            END
            $$
            """,
            """
            CREATE FUNCTION promo_append_many(
                a_command_ids text[], a_request_hashes text[], a_stream_count int[], a_event_count int[],
                s_ids text[], s_expected bigint[], s_key int[], d_ids text[],
                e_slot int[], e_ids uuid[], e_types text[], e_schema int[], e_payloads jsonb[], e_metadata jsonb[],
                p_lock_timeout_ms int,
                OUT r_first bigint[], OUT r_last bigint[], OUT r_replayed boolean[], OUT r_request_hash text[],
                OUT r_error_state text[], OUT r_error_constraint text[], OUT r_error_detail text[],
                OUT r_first_versions bigint[], OUT r_last_versions bigint[])
            LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
            DECLARE
                rec event_store_positions;
                cur_system bigint;
                xbase bigint;
                saved_lock_timeout text := current_setting('lock_timeout');
                deadline timestamptz := clock_timestamp() + make_interval(secs => p_lock_timeout_ms / 1000.0);
                one record;
                s0 int := 0;
                e0 int := 0;
                sc int;
                ec int;
                st text;
                con text;
                det text;
            BEGIN
                IF current_setting('transaction_isolation') <> 'read committed' THEN
                    RAISE EXCEPTION 'appends need the read committed isolation level, not %',
                        current_setting('transaction_isolation') USING ERRCODE = 'PE501';
                END IF;
                -- Before the offset is read: a reposition (EXCLUSIVE) waits for this append to commit.
                LOCK TABLE events IN ROW EXCLUSIVE MODE;
                SELECT * INTO rec FROM event_store_positions;
                IF current_setting('promo.checked_system', true) IS DISTINCT FROM rec.system_identifier::text THEN
                    SELECT c.system_identifier INTO cur_system FROM pg_control_system() c;
                    IF cur_system <> rec.system_identifier THEN
                        RAISE EXCEPTION 'this database was moved to another cluster; run promoctl migrate'
                            USING ERRCODE = 'PE503';
                    END IF;
                    PERFORM set_config('promo.checked_system', rec.system_identifier::text, false);
                END IF;
                xbase := (pg_current_xact_id()::text::bigint + rec.xid_offset) << 16;
                IF xbase <= rec.floor_position THEN
                    RAISE EXCEPTION 'new positions would not be above the stored ones; run promoctl migrate'
                        USING ERRCODE = 'PE503';
                END IF;

                PERFORM set_config('lock_timeout', greatest(p_lock_timeout_ms, 1)::text || 'ms', true);
                BEGIN
                    SELECT * INTO r_first, r_last, r_replayed, r_request_hash, r_error_state, r_error_constraint,
                                  r_error_detail, r_first_versions, r_last_versions
                    FROM promo_append_core(a_command_ids, a_request_hashes, a_stream_count, a_event_count, s_ids,
                                           s_expected, s_key, d_ids, e_slot, e_ids, e_types, e_schema, e_payloads,
                                           e_metadata, xbase);
                    PERFORM set_config('lock_timeout', saved_lock_timeout, true);
                    RETURN;
                EXCEPTION WHEN OTHERS THEN
                    IF cardinality(a_stream_count) = 1 THEN
                        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, con = CONSTRAINT_NAME, det = PG_EXCEPTION_DETAIL;
                        PERFORM set_config('lock_timeout', saved_lock_timeout, true);
                        r_first := '{0}'; r_last := '{0}'; r_replayed := '{false}'; r_request_hash := '{""}';
                        r_error_state := ARRAY[st]; r_error_constraint := ARRAY[coalesce(con, '')];
                        r_error_detail := ARRAY[coalesce(det, '')];
                        r_first_versions := array_fill(0::bigint, ARRAY[cardinality(s_ids)]);
                        r_last_versions := r_first_versions;
                        RETURN;
                    END IF;
                END;

                -- Something in the batch failed: each append on its own, so only the guilty one fails.
                r_first := '{}'; r_last := '{}'; r_replayed := '{}'; r_request_hash := '{}'; r_error_state := '{}';
                r_error_constraint := '{}'; r_error_detail := '{}'; r_first_versions := '{}'; r_last_versions := '{}';
                FOR a IN 1..cardinality(a_stream_count) LOOP
                    sc := a_stream_count[a];
                    ec := a_event_count[a];
                    PERFORM set_config('lock_timeout',
                        greatest(1, (extract(epoch FROM deadline - clock_timestamp()) * 1000)::int)::text || 'ms', true);
                    BEGIN
                        SELECT * INTO one FROM promo_append_core(
                            a_command_ids[a:a], a_request_hashes[a:a], a_stream_count[a:a], a_event_count[a:a],
                            s_ids[s0 + 1:s0 + sc], s_expected[s0 + 1:s0 + sc], (SELECT array_agg(g) FROM generate_series(1, sc) g),
                            s_ids[s0 + 1:s0 + sc], e_slot[e0 + 1:e0 + ec], e_ids[e0 + 1:e0 + ec], e_types[e0 + 1:e0 + ec],
                            e_schema[e0 + 1:e0 + ec], e_payloads[e0 + 1:e0 + ec], e_metadata[e0 + 1:e0 + ec], xbase);
                        r_first := r_first || one.r_first; r_last := r_last || one.r_last;
                        r_replayed := r_replayed || one.r_replayed; r_request_hash := r_request_hash || one.r_request_hash;
                        r_error_state := r_error_state || one.r_error_state;
                        r_error_constraint := r_error_constraint || one.r_error_constraint;
                        r_error_detail := r_error_detail || one.r_error_detail;
                        r_first_versions := r_first_versions || one.r_first_versions;
                        r_last_versions := r_last_versions || one.r_last_versions;
                    EXCEPTION WHEN OTHERS THEN
                        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, con = CONSTRAINT_NAME, det = PG_EXCEPTION_DETAIL;
                        r_first := r_first || 0::bigint; r_last := r_last || 0::bigint; r_replayed := r_replayed || false;
                        r_request_hash := r_request_hash || ''::text; r_error_state := r_error_state || st;
                        r_error_constraint := r_error_constraint || coalesce(con, '');
                        r_error_detail := r_error_detail || coalesce(det, '');
                        r_first_versions := r_first_versions || array_fill(0::bigint, ARRAY[sc]);
                        r_last_versions := r_last_versions || array_fill(0::bigint, ARRAY[sc]);
                    END;
                    s0 := s0 + sc;
                    e0 := e0 + ec;
                END LOOP;
                PERFORM set_config('lock_timeout', saved_lock_timeout, true);
            END
            $$
            """,
            """
            CREATE PROCEDURE promo_commit_many(
                a_command_ids text[], a_request_hashes text[], a_stream_count int[], a_event_count int[],
                s_ids text[], s_expected bigint[], s_key int[], d_ids text[],
                e_slot int[], e_ids uuid[], e_types text[], e_schema int[], e_payloads jsonb[], e_metadata jsonb[],
                p_lock_timeout_ms int,
                INOUT r_first bigint[] DEFAULT NULL, INOUT r_last bigint[] DEFAULT NULL,
                INOUT r_replayed boolean[] DEFAULT NULL, INOUT r_request_hash text[] DEFAULT NULL,
                INOUT r_error_state text[] DEFAULT NULL, INOUT r_error_constraint text[] DEFAULT NULL,
                INOUT r_error_detail text[] DEFAULT NULL, INOUT r_first_versions bigint[] DEFAULT NULL,
                INOUT r_last_versions bigint[] DEFAULT NULL)
            LANGUAGE plpgsql AS $$
            BEGIN
                SELECT * INTO r_first, r_last, r_replayed, r_request_hash, r_error_state, r_error_constraint,
                              r_error_detail, r_first_versions, r_last_versions
                FROM promo_append_many(a_command_ids, a_request_hashes, a_stream_count, a_event_count, s_ids,
                                       s_expected, s_key, d_ids, e_slot, e_ids, e_types, e_schema, e_payloads,
                                       e_metadata, p_lock_timeout_ms);
                COMMIT;
            END
            $$
            """,
            """
            CREATE FUNCTION promo_append_outcome(p_event_ids uuid[])
            RETURNS TABLE (event_id uuid, "position" bigint, stream_id text, stream_version bigint)
            LANGUAGE plpgsql AS $$
            BEGIN
                BEGIN
                    -- Blocks on the unique index while a transaction that wrote this event id is still running.
                    INSERT INTO events (position, stream_id, stream_version, category, event_id, event_type,
                                        schema_version, payload, metadata, recorded_at, hash)
                    VALUES (-1 - (random() * 1e15)::bigint, 'probe-' || gen_random_uuid(), 1, 'probe', p_event_ids[1],
                            'Probe', 1, '{}', '{}', now(), '\\x');
                    RAISE EXCEPTION 'probe' USING ERRCODE = 'PE000';
                EXCEPTION WHEN unique_violation OR SQLSTATE 'PE000' THEN
                    NULL;
                END;
                RETURN QUERY SELECT e.event_id, e.position, e.stream_id, e.stream_version FROM events e
                             WHERE e.event_id = ANY (p_event_ids) ORDER BY e.position;
            END
            $$
            """,
        ])
}
