import EventStore
import Foundation
import Hummingbird
import PromoDomain

/// The auditor's reads: a stream as stored (`GET /v1/streams/{streamId}`, optionally as it stood at a time), the
/// whole log page by page below the watermark (`GET /v1/events`), and a stream's hash chain checked
/// (`GET /v1/streams/{streamId}/verify`).
///
/// Events are served as stored, with their hash: what the chain covers and an auditor can recompute
/// (EventSchemas/README.md); `upcast=true` gives payloads in their type's current shape instead. Stream reads and
/// verifications are recorded on the audit stream with the key's id (``AuditStreamRead``,
/// ``AuditChainsVerified``). Pages of `/v1/events` are not: that is the feed downstream consumers poll, and
/// recording each page would write to the log it reads.
struct AuditRoutes: Sendable {
    let store: PostgresEventStore

    static let maxPage = 1_000

    func register(on table: RouteTable) {
        table.add(.get, "/streams/{streamId}", roles: [.auditor]) { request, context in
            try await stream(request, context)
        }
        table.add(.get, "/streams/{streamId}/verify", roles: [.auditor]) { request, context in
            try await verify(request, context)
        }
        table.add(.get, "/events", roles: [.auditor]) { request, _ in
            try await events(request)
        }
    }

    private func stream(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let streamId = try Self.streamId(context)
        let query = try QueryReader(request, allowed: ["fromVersion", "asOf", "limit", "upcast"])
        let fromVersion = try query.integer("fromVersion", default: 1, in: 1...Int(Int32.max))
        let limit = try query.integer("limit", default: 100, in: 1...Self.maxPage)
        let upcast = try query.flag("upcast")
        var asOf: Int64?
        if let raw = query["asOf"] {
            guard let micros = RFC3339.micros(raw) else {
                throw APIError.invalidField("asOf", "must be an RFC 3339 time, e.g. 2026-11-24T10:00:00.000001+08:00")
            }
            asOf = micros
        }
        let version = try await store.streamVersion(streamId)
        guard version > 0 else { throw Self.noStream(streamId) }
        let page = try await store.storedEvents(
            of: streamId, fromVersion: Int64(fromVersion), asOfMicros: asOf, limit: limit + 1)
        let events = Array(page.prefix(limit))
        try await store.recordAudit(
            AuditStreamRead(
                streamId: streamId.rawValue, fromVersion: Int64(fromVersion), asOf: query["asOf"],
                events: events.count, via: "http"),
            actor: try Self.actor(context))
        return JSONResponse.make(body: [
            "streamId": .string(streamId.rawValue), "version": .int(version),
            "fromVersion": .int(Int64(fromVersion)), "asOf": query["asOf"].map(JSONValue.string) ?? .null,
            "events": .array(try events.map { try json($0, upcast: upcast) }),
            "nextFromVersion": page.count > limit ? .int(events[events.count - 1].streamVersion + 1) : .null,
        ])
    }

    private func verify(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let streamId = try Self.streamId(context)
        let query = try QueryReader(request, allowed: ["head"])
        var recorded: StreamHead?
        if let raw = query["head"] {
            guard let head = StreamHead(parsing: raw, streamId: streamId.rawValue) else {
                throw APIError.invalidField("head", "must be VERSION:HASH, the hash as 64 hex digits")
            }
            recorded = head
        }
        let result = try await store.verify(streamId, against: recorded)
        guard result.events > 0 else { throw Self.noStream(streamId) }
        try await store.recordAudit(
            AuditChainsVerified(
                streamId: streamId.rawValue, ok: result.ok, streams: 1, events: result.events,
                badStreams: result.ok ? 0 : 1, via: "http"),
            actor: try Self.actor(context))
        var body: [String: JSONValue] = [
            "streamId": .string(streamId.rawValue), "ok": .bool(result.ok), "events": .int(Int64(result.events)),
            "head": result.head.map { ["version": .int($0.version), "hash": .string($0.hash)] } ?? .null,
        ]
        if let bad = result.firstBadVersion {
            body["firstBadVersion"] = .int(bad)
            body["problem"] = .string(result.problem ?? "")
        }
        return JSONResponse.make(body: .object(body))
    }

    /// A page of the log in position order, only below the watermark: no event can still commit before a
    /// position this returns, so a reader that follows `next` never skips one.
    private func events(_ request: Request) async throws -> Response {
        let query = try QueryReader(request, allowed: ["after", "limit", "category", "upcast"])
        let after = try query.position("after") ?? 0
        let limit = try query.integer("limit", default: 100, in: 1...Self.maxPage)
        let upcast = try query.flag("upcast")
        let category = query["category"]
        if let category, (try? StreamID(category: category, id: "x")) == nil {
            throw APIError.invalidField("category", "must be lower-case letters and digits, e.g. order")
        }
        let watermark = try await store.watermark()
        let page = try await store.storedEvents(after: after, below: watermark, category: category, limit: limit)
        // A short page has seen everything below the watermark: the cursor moves there, past events of other
        // categories, so a filtered reader does not scan them again.
        let next = page.count == limit ? page[page.count - 1].position : max(after, watermark - 1)
        return JSONResponse.make(body: [
            "after": .int(after), "category": category.map(JSONValue.string) ?? .null,
            "events": .array(try page.map { try json($0, upcast: upcast) }), "next": .int(next),
        ])
    }

    private func json(_ event: StoredEvent, upcast: Bool) throws -> JSONValue {
        var payload: JSONValue
        var metadata: JSONValue
        do {
            payload = try JSONValue(parsing: event.payload)
            metadata = try JSONValue(parsing: event.metadata)
        } catch {
            throw APIError(
                .serviceUnavailable, code: "corrupt_event",
                message: "the event at position \(event.position) cannot be read; verify its stream",
                details: ["position": .int(event.position), "streamId": .string(event.streamId)])
        }
        var schemaVersion = Int(event.schemaVersion)
        if upcast {
            (payload, schemaVersion) = try store.upcasters.upcast(
                eventType: event.type, schemaVersion: schemaVersion, payload: payload)
        }
        return [
            "position": .int(event.position), "streamId": .string(event.streamId),
            "streamVersion": .int(event.streamVersion), "eventId": .string(event.eventId), "type": .string(event.type),
            "schemaVersion": .int(Int64(schemaVersion)), "storedSchemaVersion": .int(Int64(event.schemaVersion)),
            "payload": payload, "metadata": metadata,
            "recordedAt": .string(RFC3339.string(micros: event.recordedAtMicros)),
            "hash": .string(event.hash.hexString), "hashFormat": .int(Int64(event.hashFormat)),
        ]
    }

    /// The path's stream id, percent-decoded (`stock-HP001%40online` is `stock-HP001@online`) and checked.
    private static func streamId(_ context: APIRequestContext) throws -> StreamID {
        let raw = context.parameters.get("streamId") ?? ""
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError.invalidField("streamId", "is not valid percent-encoding")
        }
        do {
            return try StreamID(decoded)
        } catch {
            throw APIError.invalidField("streamId", error.message)
        }
    }

    private static func actor(_ context: APIRequestContext) throws -> String {
        guard let principal = context.principal else {
            throw APIError(.unauthorized, code: "unauthorized", message: "a valid API key is needed")
        }
        return principal.keyId
    }

    private static func noStream(_ streamId: StreamID) -> APIError {
        APIError(
            .notFound, code: "not_found", message: "stream \(streamId) has no events",
            details: ["streamId": .string(streamId.rawValue)])
    }
}
