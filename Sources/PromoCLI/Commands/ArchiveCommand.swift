import ArgumentParser
import EventStore
import Foundation
import PromoOperations
import Synchronization

/// `promoctl archive export|verify|import`: LZ4 segment files of a position range.
struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Write a position range of the log to LZ4 segment files, check them offline, import them.",
        discussion: """
            An archive is a directory: segment-NNNNNN.lz4 (an LZ4 frame of JSON Lines, one event per line, every \
            column as stored; `lz4 -dc` reads it), segment-NNNNNN.json (its manifest: positions, count, the \
            sha256 of the file and of the segment before it, each stream's versions with the hash before them and \
            the head they reach) and archive.json, written last, listing them all.

            Export checks every chain as it writes; verify needs no database; import restores the events byte for \
            byte in one transaction, into an empty store or one the archive continues, and refuses anything that \
            does not check out before writing a row. Each export and import is recorded on the audit stream.
            """,
        subcommands: [Export.self, Verify.self, Import.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the events at positions FROM…TO (inclusive) into a new directory.",
            discussion: """
                --to defaults to the last event stored when the export starts. Only final positions are exported \
                (below the watermark: nothing can still commit before them): the export waits up to 30 s for \
                transactions still open to end, and otherwise stops at the last final position and says so.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "The first position to export (default 0: from the start).")
        var from: Int64 = 0
        @Option(help: "The last position to export (default: the last final one).")
        var to: Int64?
        @Option(help: "Events per segment file.")
        var segmentEvents = 100_000
        @Option(help: "Who exports, recorded as the audit event's actor. Default: promoctl:$USER.")
        var actor: String?
        @Argument(help: "A new or empty directory.")
        var directory: String

        func validate() throws {
            if from < 0 { throw ValidationError("--from must be a position, a whole number ≥ 0") }
            if let to, to < from { throw ValidationError("--to must not be below --from") }
            if !(1...10_000_000).contains(segmentEvents) {
                throw ValidationError("--segment-events must be 1 to 10000000")
            }
        }

        func run() async throws {
            let (from, to, segmentEvents) = (from, to, segmentEvents)
            let (actor, url) = (actor ?? KeysCommand.defaultActor, URL(fileURLWithPath: directory))
            let start = ContinuousClock.now
            let summary = try await database.withStore(maxConnections: 2) { store in
                let reporter = Mutex(ProgressReporter(label: "export"))
                do {
                    let summary = try await ArchiveExport.run(
                        store: store, from: from, to: to, directory: url, segmentEvents: segmentEvents, actor: actor
                    ) { done, total in reporter.withLock { $0.report(done: Int64(done), total: Int64(total)) } }
                    reporter.withLock { $0.finish(done: Int64(summary.index.events)) }
                    return summary
                } catch let error as ArchiveError {
                    throw OperatorError(error.description)
                }
            }
            let seconds = max((ContinuousClock.now - start).seconds, 0.001)
            let index = summary.index
            print(
                "exported \(index.events) events (positions \(index.fromPosition)…\(index.toPosition)) into "
                    + "\(index.segments.count) segment(s) in \(url.path)")
            print(
                String(
                    format: "%.1f MB compressed from %.1f MB (ratio %.2f), %.0f events/s",
                    Double(summary.bytes) / 1e6, Double(summary.uncompressedBytes) / 1e6,
                    Double(summary.uncompressedBytes) / Double(max(summary.bytes, 1)), Double(index.events) / seconds))
            if let asked = summary.requestedTo {
                print(
                    "positions up to \(asked) were not all final (a transaction stayed open); the archive ends at "
                        + "\(index.toPosition)")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an archive offline: files, checksums, order, ranges, every hash chain, every manifest.",
            discussion: "Exits 0 when everything checks out, 1 with the first problem otherwise.")

        @Argument(help: "The archive directory.")
        var directory: String

        func run() async throws {
            let url = URL(fileURLWithPath: directory)
            let reporter = Mutex(ProgressReporter(label: "verify"))
            do {
                let summary = try await ArchiveReader(directory: url).read { done, total in
                    reporter.withLock { $0.report(done: Int64(done), total: Int64(total)) }
                }
                reporter.withLock { $0.finish(done: Int64(summary.events)) }
                print(
                    "ok: \(summary.segments) segment(s), \(summary.events) events, \(summary.streams) streams; every "
                        + "checksum, position and chain checks out")
            } catch let error as ArchiveError {
                print("BAD: \(error.description)")
                throw ExitCode(1)
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore archives into an empty store (or one they continue), byte for byte.",
            discussion: """
                Archives of consecutive ranges go in together, in the order given, each continuing the one before. \
                Checks every archive first, then writes them in one transaction that holds appends off; anything \
                wrong rolls it all back. New positions are moved above the imported ones, and subscribers read \
                the imported events. Afterwards `promoctl verify --all` verifies every stream.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Who imports, recorded as the audit event's actor. Default: promoctl:$USER.")
        var actor: String?
        @Argument(help: "The archive directories, oldest range first.")
        var directories: [String]

        func validate() throws {
            if directories.isEmpty { throw ValidationError("name the archive directory to import") }
        }

        func run() async throws {
            let (actor, urls) = (actor ?? KeysCommand.defaultActor, directories.map { URL(fileURLWithPath: $0) })
            let summary = try await database.withStore(maxConnections: 2) { store in
                let reporter = Mutex([String: ProgressReporter]())
                do {
                    return try await ArchiveImport.run(store: store, directories: urls, actor: actor) {
                        phase, done, total in
                        reporter.withLock {
                            $0[phase, default: ProgressReporter(label: phase)].report(
                                done: Int64(done), total: Int64(total))
                        }
                    }
                } catch let error as ArchiveError {
                    throw OperatorError("\(error.description); nothing was imported")
                }
            }
            print(
                "imported \(summary.archive.events) events of \(summary.archive.streams) streams from "
                    + "\(summary.archive.segments) segment(s)"
                    + (summary.positionsMoved ? "; new positions now start above them" : ""))
        }
    }
}
