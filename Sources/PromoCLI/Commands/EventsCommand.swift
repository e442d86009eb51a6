import ArgumentParser
import EventStore
import Foundation
import PromoDomain

/// `promoctl events tail`: the log as it grows.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Follow the event log.", subcommands: [Tail.self])

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print events as they are committed, one line each, until interrupted (Ctrl-C).",
            discussion: """
                Reads below the store's watermark, as subscribers do: an event is printed once no transaction that \
                is still open can commit one before it, so the lines come in position order and none is skipped. \
                Starts at the head (new events only) unless --after or --from-start says otherwise. Each line: \
                position, stream@version, type, recorded-at, actor, payload as stored.
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Only events of this stream category, e.g. order, stock, campaign.")
        var category: String?

        @Option(help: "Start after this global position.")
        var after: Int64?

        @Flag(help: "Start at the beginning of the log.")
        var fromStart = false

        @Option(help: "Stop after this many events (default: follow until interrupted).")
        var limit: Int?

        @Option(help: "Milliseconds to wait for new events when caught up.")
        var pollMilliseconds = 250

        func validate() throws {
            if let category, (try? StreamID(category: category, id: "x")) == nil {
                throw ValidationError("--category must be lower-case letters and digits, e.g. order")
            }
            if after != nil && fromStart {
                throw ValidationError("--after and --from-start both say where to start: pick one")
            }
            if let after, after < 0 { throw ValidationError("--after must be a position, a whole number ≥ 0") }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
            if !(10...60_000).contains(pollMilliseconds) {
                throw ValidationError("--poll-milliseconds must be 10 to 60000")
            }
        }

        func run() async throws {
            let (category, after, fromStart, limit) = (category, after, fromStart, limit)
            let poll = Duration.milliseconds(pollMilliseconds)
            try await database.withStore(maxConnections: 2) { store in
                var cursor: Int64
                if let after {
                    cursor = after
                } else {
                    cursor = fromStart ? 0 : max(0, try await store.watermark() - 1)
                }
                var printed = 0
                while !Task.isCancelled {
                    let watermark = try await store.watermark()
                    let want = min(500, (limit ?? .max) - printed)
                    let page = try await store.storedEvents(
                        after: cursor, below: watermark, category: category, limit: want)
                    for event in page {
                        print(
                            "\(event.position)  \(event.streamId)@v\(event.streamVersion)  \(event.type)  "
                                + "\(RFC3339.string(micros: event.recordedAtMicros))  "
                                + "\(Self.actor(of: event))  \(event.payload)")
                    }
                    printed += page.count
                    if let limit, printed >= limit { return }
                    cursor = page.count == want ? page[page.count - 1].position : max(cursor, watermark - 1)
                    if page.count < want { try await Task.sleep(for: poll) }
                }
            }
        }

        static func actor(of event: StoredEvent) -> String {
            (try? JSONValue(parsing: event.metadata))?["actor"]?.stringValue ?? "-"
        }
    }
}
