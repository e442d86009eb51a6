import ArgumentParser
import EventStore
import Foundation
import PromoDomain

/// `promoctl replay STREAM [--as-of T]`: a stream event by event, upcast, with the state after each.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Print a stream's events, upcast to their current shape, each with the state after it.",
        discussion: """
            Folds the stream with the command side's own evolve functions (the state an order, a stock level, a \
            campaign … is decided on), from version 1 on, printing each event (version, position, time, type, \
            actor, payload) and the state it leaves. With --as-of, only the events recorded at or before that \
            time: the stream as it stood then. Categories without a state (audit, apikey) print the events alone.

            The replay is recorded on the audit stream (audit-yyyy-MM-dd) with --actor.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The stream id, e.g. order-8812 or stock-HP001@online.")
    var stream: String

    @Option(help: "An RFC 3339 time, e.g. 2026-11-24T10:00:00+08:00: replay the stream as it stood then.")
    var asOf: String?

    @Flag(help: "Print the events only, not the state after each.")
    var eventsOnly = false

    @Option(help: "Who replays, recorded as the audit event's actor. Default: promoctl:$USER.")
    var actor: String?

    func validate() throws {
        do { _ = try StreamID(stream) } catch { throw ValidationError(error.message) }
        if let asOf, RFC3339.micros(asOf) == nil {
            throw ValidationError("--as-of must be an RFC 3339 time, e.g. 2026-11-24T10:00:00+08:00")
        }
    }

    func run() async throws {
        let streamId: StreamID
        do { streamId = try StreamID(stream) } catch { throw ValidationError(error.message) }
        let asOfMicros = asOf.flatMap(RFC3339.micros)
        let (asOf, eventsOnly, actor) = (asOf, eventsOnly, actor ?? KeysCommand.defaultActor)
        let stateType = eventsOnly ? nil : DomainEvents.states[streamId.category]
        let count = try await database.withStore(maxConnections: 2) { store in
            guard try await store.streamVersion(streamId) > 0 else {
                throw OperatorError(
                    "stream \(streamId) has no events; is the id spelt right? (promoctl events tail lists live ones)")
            }
            var state = stateType?.init()
            var count = 0
            var from: Int64 = 1
            while true {
                let page = try await store.storedEvents(
                    of: streamId, fromVersion: from, asOfMicros: asOfMicros, limit: 1_000)
                for stored in page {
                    let event = try store.recorded(stored)
                    count += 1
                    print(Self.describe(event, stored: stored))
                    if state != nil {
                        do {
                            try state!.evolve(type: event.type, payload: event.payload)
                            print("  state   \(MirrorJSON.json(state!).canonicalString)")
                        } catch {
                            print("  state   cannot fold this event: \(error)")
                        }
                    }
                }
                guard page.count == 1_000, let last = page.last else { break }
                from = last.streamVersion + 1
            }
            try await store.recordAudit(
                AuditStreamRead(
                    streamId: streamId.rawValue, fromVersion: 1, asOf: asOf, events: count, via: "promoctl replay"),
                actor: actor)
            return count
        }
        print("replayed \(count) event(s) of \(streamId)" + (asOf.map { " as of \($0)" } ?? ""))
        if stateType == nil && !eventsOnly { print("(\(streamId.category) streams keep no state: events only)") }
    }

    static func describe(_ event: RecordedEvent, stored: StoredEvent) -> String {
        let schema =
            event.schemaVersion == event.storedSchemaVersion
            ? "v\(event.schemaVersion)" : "v\(event.storedSchemaVersion)→v\(event.schemaVersion)"
        return """
            v\(event.streamVersion)  \(event.type) (\(schema))  position \(event.position)  \
            \(RFC3339.string(micros: stored.recordedAtMicros))  actor \(event.metadata.actor ?? "-")
              payload \(event.payload.canonicalString)
            """
    }
}
