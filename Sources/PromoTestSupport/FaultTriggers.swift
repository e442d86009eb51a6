import EventStore
import Logging
import PostgresNIO

/// Triggers on `events` that inject faults for the event store's tests; they act only on payloads carrying a
/// `testFault` member, so every other append is untouched:
/// - `"cancel"`: the row's insert raises `query_canceled` (57014), what a statement timeout raises; PL/pgSQL's
///   `WHEN OTHERS` does not catch it, so it fails the whole statement.
/// - `"commit"`: a deferred constraint trigger raises at `COMMIT`, after the rows were written.
/// - `"sleep"`: the insert sleeps `sleepSeconds`, long enough to kill the session while it runs.
///
/// Installed once, right after the test database is migrated and before any test runs: `CREATE TRIGGER` waits for
/// every open transaction on `events` and holds every append back meanwhile, which would disturb the tests that
/// keep a transaction open on purpose.
public enum FaultTriggers {
    static func install(client: PostgresClient, logger: Logger) async throws {
        try await client.withOpenTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(4242)", logger: logger)
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }

    static let statements: [String] = [
        """
        CREATE OR REPLACE FUNCTION promo_test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.payload->>'testFault' = 'cancel' THEN
                RAISE EXCEPTION 'test fault: cancelled' USING ERRCODE = 'query_canceled';
            ELSIF NEW.payload->>'testFault' = 'sleep' THEN
                PERFORM pg_sleep((NEW.payload->>'sleepSeconds')::float8);
            END IF;
            RETURN NEW;
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION promo_test_commit_fault() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'test fault at commit' USING ERRCODE = 'check_violation';
        END $$
        """,
        "DROP TRIGGER IF EXISTS test_fault ON events",
        """
        CREATE TRIGGER test_fault BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.payload ? 'testFault')
        EXECUTE FUNCTION promo_test_fault()
        """,
        "DROP TRIGGER IF EXISTS test_commit_fault ON events",
        """
        CREATE CONSTRAINT TRIGGER test_commit_fault AFTER INSERT ON events DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.payload->>'testFault' = 'commit') EXECUTE FUNCTION promo_test_commit_fault()
        """,
    ]
}
