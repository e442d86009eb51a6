import Foundation
import PromoDomain
import Testing

/// Runs tools/validate-event-schemas over samples written to a temporary folder.
struct SchemaValidator {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    let samples: URL

    init() throws {
        samples = FileManager.default.temporaryDirectory.appendingPathComponent("event-samples-\(UUID())")
        try FileManager.default.createDirectory(at: samples, withIntermediateDirectories: true)
    }

    func write(type: String, version: Int, payload: JSONValue) throws {
        try Data(payload.canonicalString.utf8).write(to: samples.appendingPathComponent("\(type).v\(version).json"))
    }

    /// The interpreter with the jsonschema module: tools/test exports it as PROMO_PYTHON (a Debian Python that is
    /// externally managed gets it from the python3-jsonschema package, not from pip); python3 on PATH otherwise.
    static var python: String {
        let configured = ProcessInfo.processInfo.environment["PROMO_PYTHON"] ?? ""
        return configured.isEmpty ? "python3" : configured
    }

    func run() throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = Self.root.appendingPathComponent("tools/validate-event-schemas").path
        process.arguments = [Self.python, script, samples.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: samples)
        return (process.terminationStatus, output)
    }
}

@Suite("Event schemas")
struct EventSchemaTests {
    @Test("Every event type the code defines, at every version it reads, validates against its schema")
    func everyEventTypeHasAValidSchema() throws {
        let validator = try SchemaValidator()
        for type in DomainEvents.all {
            try validator.write(
                type: type.eventType, version: type.schemaVersion, payload: try JSONValue(encoding: type.sample))
        }
        for old in DomainEvents.historicalSamples {
            try validator.write(type: old.type, version: old.version, payload: old.payload)
            // …and its upcast form is a valid current payload.
            let (upcast, version) = try DomainEvents.upcasters.upcast(
                eventType: old.type, schemaVersion: old.version, payload: old.payload)
            try validator.write(type: old.type, version: version, payload: upcast)
        }
        let (status, output) = try validator.run()
        #expect(status == 0, "\(output)")
        #expect(output.contains("all samples valid"))
        for type in DomainEvents.all {
            #expect(output.contains("ok   \(type.eventType).v\(type.schemaVersion).json"))
        }
    }

    @Test("A sample with no schema fails the check")
    func missingSchemaFails() throws {
        let validator = try SchemaValidator()
        try validator.write(type: "NoSuchEvent", version: 1, payload: ["a": 1])
        let (status, output) = try validator.run()
        #expect(status == 1)
        #expect(output.contains("FAIL NoSuchEvent.v1.json: no schema"))
    }

    @Test("A sample that breaks its schema fails, naming the field")
    func invalidSampleFails() throws {
        let validator = try SchemaValidator()
        var payload = try JSONValue(encoding: StockReceived.sample).objectValue ?? [:]
        payload["quantity"] = "twelve"
        try validator.write(type: StockReceived.eventType, version: 1, payload: .object(payload))
        let (status, output) = try validator.run()
        #expect(status == 1)
        #expect(output.contains("StockReceived.v1.json: quantity"))
    }
}
