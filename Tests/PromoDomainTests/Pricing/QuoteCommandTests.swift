import Foundation
import PromoTestSupport
import Testing

/// Runs the real `promoctl` binary (``PromoctlBinary``).
@Suite("promoctl quote")
struct QuoteCommandTests {
    static var binary: URL { PromoctlBinary.url }

    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).json").path
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, stdout, String(decoding: stderr, as: UTF8.self))
    }

    @Test(arguments: [
        ("example1-spend-reduction", 20_450, 18_450),
        ("example2-item-and-spend-discount", 16_230, 14_481),
        ("example3-bundle", 20_150, 18_480),
        ("example4-flash-sale", 8_970, 4_970),
        ("example5-coupons", 20_450, 16_750),
    ])
    func workedExamples(name: String, subtotal: Int, total: Int) throws {
        let result = try Self.run(["quote", Self.fixture(name)])
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(json["subtotalFen"] as? Int == subtotal)
        #expect(json["totalFen"] as? Int == total)
        #expect(json["budgetCharges"] is [Any])
    }

    @Test(arguments: [
        ("invalid-unknown-sku", "cart.lines[3].sku"),
        ("invalid-negative-quantity", "cart.lines[0].quantity"),
        ("invalid-float-money", "campaigns[0].rules.tiers[1].reductionFen"),
        ("invalid-string-money", "catalog[0].priceFen"),
        ("invalid-unknown-kind", "campaigns[0].kind"),
        ("invalid-missing-field", "cart.lines"),
        ("invalid-unknown-key", "campaigns[0].budgets"),
        ("invalid-less-for-more-tiers", "campaigns[0].rules.tiers[1].reductionFen"),
        ("invalid-huge-bundle-quantity", "campaigns[0].rules.items[0].quantity"),
    ])
    func invalidScenarios(name: String, field: String) throws {
        let result = try Self.run(["quote", Self.fixture(name)])
        #expect(result.status != 0)
        #expect(result.stderr.contains(field))
        #expect(!result.stderr.contains("Fatal error"))
    }
}
