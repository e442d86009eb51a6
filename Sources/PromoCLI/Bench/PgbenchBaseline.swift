import ArgumentParser
import EventStore
import Foundation

/// PostgreSQL's own client doing a plain single-row INSERT into `bench_plain_events`, the row `plainInsert`
/// writes: the baseline appends are held to, measured in the same run on the same cluster.
struct PgbenchBaseline: Sendable {
    /// A path, or a name looked up on PATH.
    let executable: String
    let url: DatabaseURL
    let seconds: Int
    /// pgbench's `-M`: simple, extended or prepared.
    let protocolMode: String

    /// `$PROMO_PG_BIN/pgbench` when tools/bench (or tools/test) exported the server's binaries, else `pgbench`.
    static func defaultExecutable(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        guard let bin = environment["PROMO_PG_BIN"], !bin.isEmpty else { return "pgbench" }
        return URL(fileURLWithPath: bin).appendingPathComponent("pgbench").path
    }

    /// One transaction: one INSERT of `plainInsert`'s row: a stream of its own (a new uuid), the same payload,
    /// metadata and sha256 hash of the payload.
    static func script(payload: String) -> String {
        let literal = "'" + payload.replacingOccurrences(of: "'", with: "''") + "'"
        return """
            INSERT INTO bench_plain_events (stream_id, stream_version, category, event_id, event_type, schema_version,
                                            payload, metadata, recorded_at, hash)
            VALUES ('bench-' || gen_random_uuid(), 1, 'bench', gen_random_uuid(), 'StockReceived', 1, \(literal)::jsonb,
                    '{"actor":"bench","channel":"online","correlationId":"bench"}'::jsonb, clock_timestamp(),
                    sha256(convert_to(\(literal), 'UTF8')));

            """
    }

    /// The connection arguments for `url`: the socket directory (or host), port, user, and the database last.
    var connectionArguments: [String] {
        ["-h", url.socketDirectory ?? url.host, "-p", "\(url.port)", "-U", url.user, url.database]
    }

    func arguments(clients: Int, scriptPath: String) -> [String] {
        [
            "-n", "-f", scriptPath, "-M", protocolMode, "-c", "\(clients)", "-j", "\(min(2, clients))",
            "-T", "\(seconds)",
        ] + connectionArguments
    }

    /// Runs pgbench with `clients` connections for `seconds`; returns its transactions per second, without
    /// the initial connection time.
    func run(clients: Int, payload: String) throws -> Double {
        print("pgbench plain INSERT: \(clients) client(s) for \(seconds) s …")
        let scriptURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("promoledger-pgbench-\(UUID()).sql")
        try Data(Self.script(payload: payload).utf8).write(to: scriptURL)
        defer { try? FileManager.default.removeItem(at: scriptURL) }

        var environment = ProcessInfo.processInfo.environment
        if let password = url.password { environment["PGPASSWORD"] = password }
        let result: ChildProcess.Result
        do {
            // A generous bound: -T ends the run, this only stops a pgbench that hangs.
            result = try ChildProcess.run(
                executable, arguments(clients: clients, scriptPath: scriptURL.path), environment: environment,
                captureStandardError: true, timeout: .seconds(seconds + 120))
        } catch {
            throw ValidationError("\(error); pass --pgbench PATH or set PROMO_PG_BIN")
        }
        let output = String(decoding: result.output, as: UTF8.self)
        guard result.status == 0, let tps = Self.parseTPS(output) else {
            throw ValidationError("pgbench failed (exit \(result.status)):\n\(output)")
        }
        print("  \(String(format: "%.0f", tps)) tx/s")
        return tps
    }

    /// The number in pgbench's `tps = 10596.123456 (without initial connection time)` line.
    static func parseTPS(_ output: String) -> Double? {
        for line in output.split(whereSeparator: \.isNewline) where line.contains("without initial connection time") {
            let fields = line.split(separator: " ")
            if let equals = fields.firstIndex(of: "="), fields.index(after: equals) < fields.endIndex,
                let tps = Double(fields[fields.index(after: equals)])
            {
                return tps
            }
        }
        return nil
    }
}
