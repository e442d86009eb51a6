import EventStore
import PostgresNIO
import PromoDomain
import PromoTestSupport

/// Faults the store must survive, injected by triggers on `events` that act only on payloads carrying a
/// `testFault` member, so every other test's appends are untouched:
/// - `"cancel"`: the row's insert raises `query_canceled` (57014), what a statement timeout raises; PL/pgSQL's
///   `WHEN OTHERS` does not catch it, so it fails the whole statement.
/// - `"commit"`: a deferred constraint trigger raises at `COMMIT`, after the rows were written.
/// - `"sleep"`: the insert sleeps `sleepSeconds`, long enough to kill the session while it runs.
enum FaultInjection {
    static func install(on store: PostgresEventStore) async throws {
        try await store.client.withTransaction(logger: store.logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(4242)", logger: store.logger)
            let rows = try await connection.query(
                "SELECT count(*) FROM pg_trigger WHERE tgname IN ('test_fault', 'test_commit_fault')",
                logger: store.logger)
            for try await count in rows.decode(Int64.self) where count == 2 { return }
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: store.logger)
            }
        }
    }

    static func payload(_ fault: String, sleepSeconds: Double = 0) -> JSONValue {
        ["testFault": .string(fault), "sleepSeconds": .double(sleepSeconds)]
    }

    static let statements = [
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
