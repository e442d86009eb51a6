import ArgumentParser
import EventStore
import Foundation
import PromoAPI
import PromoOperations
import Synchronization

/// `promoctl backup FILE`: the store, its command records, the API keys, the customers' keys and the recorded
/// Idempotency-Key answers, from one snapshot, in one LZ4 file.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent backup of the store and its key tables to a new file.",
        discussion: """
            Everything is read from one snapshot (repeatable read), while the platform keeps running. The file is \
            one LZ4 frame with checksums: the events as stored (every column, so every chain verifies after a \
            restore), then the command records, API keys, customer encryption keys and Idempotency-Key answers. \
            Read models are not in it: after a restore the projection workers rebuild them from position 0. The \
            backup is recorded on the audit stream with its sha256.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Who takes the backup, recorded as the audit event's actor. Default: promoctl:$USER.")
    var actor: String?
    @Argument(help: "The file to write; it must not exist.")
    var file: String

    func run() async throws {
        let (actor, url) = (actor ?? KeysCommand.defaultActor, URL(fileURLWithPath: file))
        let summary = try await database.withStore(maxConnections: 2) { store in
            let reporter = Mutex(ProgressReporter(label: "backup"))
            do {
                let summary = try await StoreBackup.backup(store: store, to: url, actor: actor) { done, total in
                    reporter.withLock { $0.report(done: Int64(done), total: Int64(total)) }
                }
                reporter.withLock { $0.finish(done: Int64(summary.events)) }
                return summary
            } catch let error as ArchiveError {
                throw OperatorError(error.description)
            }
        }
        print(
            "backed up \(summary.events) events (up to position \(summary.lastPosition)) and "
                + summary.rows.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                + String(format: " into %@ (%.1f MB)", url.path, Double(summary.bytes) / 1e6))
        print("sha256 \(summary.sha256)")
    }
}

/// `promoctl restore FILE`: a backup into an empty database (this cluster or another).
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into an empty database, in one transaction.",
        discussion: """
            Migrates the database first (it must hold no events and no keys). Every chain is checked as the events \
            go in, the backup's counts and LZ4 checksum must match, or nothing is restored. New positions are moved \
            above the restored ones, so subscribers get every event restored and every one appended after. Start \
            `promoctl serve` afterwards: the read models are rebuilt from position 0. The restore is recorded on \
            the restored store's audit stream.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Who restores, recorded as the audit event's actor. Default: promoctl:$USER.")
    var actor: String?
    @Argument(help: "The backup file (from promoctl backup).")
    var file: String

    func run() async throws {
        let (actor, url) = (actor ?? KeysCommand.defaultActor, URL(fileURLWithPath: file))
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ValidationError("\(url.path) does not exist")
        }
        let summary = try await database.withStore(maxConnections: 2) { store in
            try await Migrator(client: store.client, logger: store.logger, migrations: APIMigrations.withEventStore)
                .migrate()
            let reporter = Mutex(ProgressReporter(label: "restore"))
            do {
                let summary = try await StoreBackup.restore(store: store, from: url, actor: actor) { done, total in
                    reporter.withLock { $0.report(done: Int64(done), total: Int64(total)) }
                }
                reporter.withLock { $0.finish(done: Int64(summary.events)) }
                return summary
            } catch let error as ArchiveError {
                throw OperatorError("\(error.description); nothing was restored")
            }
        }
        print(
            "restored \(summary.events) events (up to position \(summary.lastPosition)) and "
                + summary.rows.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                + (summary.positionsMoved ? "; new positions now start above them" : ""))
    }
}
