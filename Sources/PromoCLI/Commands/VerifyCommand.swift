import ArgumentParser
import EventStore
import Foundation

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the hash chain of one or more streams.",
        discussion: "Exits 0 when every stream verifies, 1 when one does not (naming its first bad version).")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "Stream ids, e.g. order-8812 stock-HP001@online.")
    var streams: [String]

    func run() async throws {
        var ids: [StreamID] = []
        for raw in streams {
            do { ids.append(try StreamID(raw)) } catch { throw ValidationError(error.message) }
        }
        let streamIds = ids
        let results = try await database.withStore(maxConnections: 2) { store in
            var results: [StreamVerification] = []
            for id in streamIds { results.append(try await store.verify(id)) }
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
