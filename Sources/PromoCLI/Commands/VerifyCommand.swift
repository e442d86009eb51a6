import ArgumentParser
import EventStore
import Foundation
import PromoDomain

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the hash chain of one or more streams, or of every stream (--all).",
        discussion: """
            Recomputes each stream's hash chain (EventSchemas/README.md gives the exact recipe) and names the first \
            version that does not match. Exits 0 when every stream verifies, 1 when one does not.

            --all walks every stream in stream-id order, with a progress line on standard error (events done / \
            total, events/s, time left), and ends with a summary: streams, events, and each stream that fails \
            (the first 1,000; all are counted).

            A chain cannot show that its last events were removed. To check that, pass a head recorded earlier \
            (an archive manifest records one per stream): --head VERSION:HASH, with one stream. \
            `promoctl verify STREAM --print-head` prints the head to record now.

            Every verification is recorded on the audit stream (audit-yyyy-MM-dd) with --actor.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "Stream ids, e.g. order-8812 stock-HP001@online.")
    var streams: [String] = []

    @Flag(help: "Verify every stream in the store.")
    var all = false

    @Option(help: "A head recorded earlier, VERSION:HASH (hex): the stream must still reach it. One stream only.")
    var head: String?

    @Flag(help: "Also print each stream's head (version:hash), to record for a later --head check.")
    var printHead = false

    @Option(help: "Who verifies, recorded as the audit event's actor. Default: promoctl:$USER.")
    var actor: String?

    func validate() throws {
        if all != streams.isEmpty {
            throw ValidationError(
                all ? "--all verifies every stream: name no streams with it" : "name streams to verify, or pass --all")
        }
        for raw in streams {
            do { _ = try StreamID(raw) } catch { throw ValidationError(error.message) }
        }
        if head != nil && streams.count != 1 { throw ValidationError("--head goes with exactly one stream") }
        if let head, StreamHead(parsing: head, streamId: "") == nil {
            throw ValidationError("--head must look like VERSION:HASH, e.g. 12:9f86d081… (64 hex digits)")
        }
    }

    func run() async throws {
        let actor = self.actor ?? KeysCommand.defaultActor
        if all {
            let summary = try await database.withStore(maxConnections: 2) { store in
                let total = try await store.eventCount()
                var reporter = ProgressReporter(label: "verify")
                let summary = try await store.verifyAll { done in reporter.report(done: Int64(done), total: total) }
                reporter.finish(done: Int64(summary.events))
                try await store.recordAudit(
                    AuditChainsVerified(
                        streamId: nil, ok: summary.ok, streams: summary.streams, events: summary.events,
                        badStreams: summary.badStreams, via: "promoctl verify"), actor: actor)
                return summary
            }
            for failure in summary.failures { Self.printResult(failure) }
            if summary.ok {
                print("ok: \(summary.streams) streams, \(summary.events) events, every chain verifies")
            } else {
                print(
                    "BAD: \(summary.badStreams) of \(summary.streams) streams do not verify (\(summary.events) events)"
                        + (summary.badStreams > summary.failures.count
                            ? "; the first \(summary.failures.count) are listed" : ""))
                throw ExitCode(1)
            }
            return
        }
        var ids: [StreamID] = []
        for raw in streams {
            do { ids.append(try StreamID(raw)) } catch { throw ValidationError(error.message) }
        }
        let streamIds = ids
        let recorded = head.flatMap { StreamHead(parsing: $0, streamId: ids[0].rawValue) }
        let results = try await database.withStore(maxConnections: 2) { store in
            var results: [StreamVerification] = []
            for id in streamIds {
                let result = try await store.verify(id, against: recorded)
                try await store.recordAudit(
                    AuditChainsVerified(
                        streamId: id.rawValue, ok: result.ok, streams: 1, events: result.events,
                        badStreams: result.ok ? 0 : 1, via: "promoctl verify"), actor: actor)
                results.append(result)
            }
            return results
        }
        for result in results {
            Self.printResult(result)
            if printHead, let head = result.head { print("head  \(result.streamId) \(head.version):\(head.hash)") }
        }
        if results.contains(where: { !$0.ok || $0.events == 0 }) { throw ExitCode(1) }
    }

    static func printResult(_ result: StreamVerification) {
        if result.events == 0 {
            print("BAD   \(result.streamId): the stream has no events (is the id spelt right?)")
        } else if result.ok {
            print("ok    \(result.streamId) (\(result.events) events)")
        } else {
            print("BAD   \(result.streamId): version \(result.firstBadVersion ?? 0): \(result.problem ?? "")")
        }
    }
}
