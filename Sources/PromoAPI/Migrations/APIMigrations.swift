import EventStore
import ProjectionRuntime

/// The API's own tables, applied by `promoctl migrate` after the event store's steps.
///
/// Numbered from 1001 so the event store's steps keep their own range in `schema_migrations`. Never edit a
/// released step: add a new one.
public enum APIMigrations {
    public static let all: [Migration] = [apiKeys, idempotentRequests, customerKeys, lz4Responses, stockStreams]

    /// The steps after the event store's: the API's, then the projection registry's.
    public static let afterEventStore: [Migration] = all + ProjectionMigrations.all

    /// Every step `promoctl migrate` applies: the event store's, then ``afterEventStore``.
    public static let withEventStore: [Migration] = EventStoreMigrations.all + afterEventStore

    /// API keys: only the SHA-256 of a key is stored. A revoked key keeps its row (and its events) for audit.
    static let apiKeys = Migration(
        version: 1001, name: "api keys",
        statements: [
            """
            CREATE TABLE api_keys (
                key_id      text        PRIMARY KEY,
                name        text        NOT NULL,
                role        text        NOT NULL CHECK (role IN ('channel', 'marketing', 'analyst', 'auditor', 'admin')),
                key_hash    bytea       NOT NULL UNIQUE CHECK (length(key_hash) = 32),
                created_at  timestamptz NOT NULL DEFAULT now(),
                created_by  text        NOT NULL,
                revoked_at  timestamptz,
                revoked_by  text)
            """
        ])

    /// The first response to each (API key, Idempotency-Key), so a repeat gets it back byte for byte.
    ///
    /// A row is written in the transaction that appends the command's events, so the two commit together.
    static let idempotentRequests = Migration(
        version: 1002, name: "idempotent requests",
        statements: [
            """
            CREATE TABLE idempotent_requests (
                key_id          text        NOT NULL,
                idempotency_key text        NOT NULL,
                request_hash    bytea       NOT NULL,
                status          integer     NOT NULL,
                body            text        NOT NULL,
                recorded_at     timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (key_id, idempotency_key))
            """
        ])

    /// One AES-256 key per customer, for the personal data sealed in their events. Deleting a row
    /// crypto-shreds that customer's name, phone and address in every stored event.
    static let customerKeys = Migration(
        version: 1003, name: "customer keys",
        statements: [
            """
            CREATE TABLE customer_keys (
                customer_id text        PRIMARY KEY,
                key         bytea       NOT NULL CHECK (length(key) = 32),
                created_at  timestamptz NOT NULL DEFAULT now())
            """
        ])

    /// A recorded response (an order with its quote) is compressed with LZ4 rather than pglz, as event payloads.
    static let lz4Responses = Migration(
        version: 1004, name: "lz4 response compression",
        statements: [Migration.compressWithLZ4(table: "idempotent_requests", column: "body", what: "responses")])

    /// A SKU's stock locations (`stock-{sku}@{location}`), found without reading its events: one entry per stock
    /// stream (its first event), by the part before `@`. `GET /v1/stock/{sku}` and the activation stock check read
    /// the streams it names from their kept states, so they cost the same at 10 events as at 100,000. Built
    /// concurrently: appends go on while it builds on a store that already holds events.
    static let stockStreams = Migration.concurrentIndex(
        version: 1005, name: "stock streams by sku", index: "events_stock_streams",
        definition: "ON events (split_part(stream_id, '@', 1)) WHERE category = 'stock' AND stream_version = 1")
}
