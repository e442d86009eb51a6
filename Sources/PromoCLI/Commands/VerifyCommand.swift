import ArgumentParser
import EventStore
import Foundation

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the hash chain of one or more streams.",
        discussion: """
            Recomputes each stream's hash chain (EventSchemas/README.md gives the exact recipe) and names the first \
            version that does not match. Exits 0 when every stream verifies, 1 when one does not.

            A chain cannot show that its last events were removed. To check that, pass a head recorded earlier \
            (an archive segment or an audit export records one per stream): --head VERSION:HASH, with one stream. \
            `promoctl verify STREAM --print-head` prints the head to record now.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "Stream ids, e.g. order-8812 stock-HP001@online.")
    var streams: [String]

    @Option(help: "A head recorded earlier, VERSION:HASH (hex): the stream must still reach it. One stream only.")
    var head: String?

    @Flag(help: "Also print each stream's head (version:hash), to record for a later --head check.")
    var printHead = false

    func validate() throws {
        for raw in streams {
            do { _ = try StreamID(raw) } catch { throw ValidationError(error.message) }
        }
        if head != nil && streams.count != 1 { throw ValidationError("--head goes with exactly one stream") }
        if let head, Self.parseHead(head, streamId: "") == nil {
            throw ValidationError("--head must look like VERSION:HASH, e.g. 12:9f86d081… (64 hex digits)")
        }
    }

    static func parseHead(_ text: String, streamId: String) -> StreamHead? {
        StreamHead(parsing: text, streamId: streamId)
    }

    func run() async throws {
        var ids: [StreamID] = []
        for raw in streams {
            do { ids.append(try StreamID(raw)) } catch { throw ValidationError(error.message) }
        }
        let streamIds = ids
        let recorded = head.flatMap { Self.parseHead($0, streamId: ids[0].rawValue) }
        let printHead = self.printHead
        let results = try await database.withStore(maxConnections: 2) { store in
            var results: [StreamVerification] = []
            for id in streamIds {
                results.append(try await store.verify(id, against: recorded))
                if printHead, let now = try await store.head(of: id) { print("head  \(id) \(now.version):\(now.hash)") }
            }
            return results
        }
        for result in results {
            if result.ok {
                print("ok    \(result.streamId) (\(result.events) events)")
            } else {
                print("BAD   \(result.streamId): version \(result.firstBadVersion ?? 0): \(result.problem ?? "")")
            }
        }
        if results.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }
}
