import EventStore

/// The projection registry: one row per generation of each read model, and the events parked by a failure.
///
/// A generation is one build of a projection into a schema of its own (`rm_NAME_gN`). At most one generation
/// of a projection is `live` (readers see its tables through views in schema `rm`) and at most one is
/// `building` (a rebuild from position 0 beside the live one); a built one that was switched away from is
/// `retired` and its schema dropped. `position` is the generation's checkpoint: every event of its types at or
/// below it has been handled, in the same transaction as the writes it caused.
public enum ProjectionMigrations {
    public static let all: [Migration] = [registry, deferredIndexes]

    static let registry = Migration(
        version: 2001, name: "projection registry",
        statements: [
            "CREATE SCHEMA IF NOT EXISTS rm",
            """
            CREATE TABLE projection_generations (
                name text NOT NULL,
                generation integer NOT NULL,
                version integer NOT NULL,
                schema_name text NOT NULL UNIQUE,
                state text NOT NULL CHECK (state IN ('building', 'live', 'retired')),
                status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'failed')),
                position bigint NOT NULL DEFAULT 0,
                events_done bigint NOT NULL DEFAULT 0,
                events_total bigint NOT NULL DEFAULT 0,
                last_event_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now(),
                switched_at timestamptz,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (name, generation))
            """,
            "CREATE UNIQUE INDEX projection_generations_live ON projection_generations (name) WHERE state = 'live'",
            """
            CREATE UNIQUE INDEX projection_generations_building ON projection_generations (name)
            WHERE state = 'building'
            """,
            """
            CREATE TABLE projection_parked (
                name text NOT NULL,
                generation integer NOT NULL,
                position bigint NOT NULL,
                event_id uuid,
                event_type text,
                stream_id text,
                error text NOT NULL,
                attempts integer NOT NULL,
                parked_at timestamptz NOT NULL DEFAULT now(),
                resolution text CHECK (resolution IN ('retried', 'skipped')),
                resolved_at timestamptz,
                PRIMARY KEY (name, generation, position))
            """,
        ])

    /// A generation built beside the live one gets its secondary indexes when it has caught up, just before it
    /// is switched to (``ProjectionCatalog/switchOver(_:on:)``): the statements wait here until then.
    static let deferredIndexes = Migration(
        version: 2002, name: "projection indexes built after a rebuild",
        statements: [
            "ALTER TABLE projection_generations ADD COLUMN indexes_pending text[] NOT NULL DEFAULT '{}'"
        ])
}
