import ArgumentParser
import Foundation
import PromoDomain

/// `promoctl quote SCENARIO.json`: prices one offline scenario and prints the quote JSON.
///
/// Lets marketing try a draft campaign on a cart without a database. Invalid scenarios
/// exit non-zero with a one-line message naming the field.
public struct QuoteCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "quote",
        abstract: "Price an offline scenario (catalog, campaigns, coupons, customer, cart) and print the quote."
    )

    @Argument(help: "Scenario JSON file, or - for standard input.")
    public var scenario: String

    @Flag(help: "Print compact JSON on one line.")
    public var compact = false

    public init() {}

    public func run() throws {
        let data: Data
        if scenario == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: scenario) else {
                throw ValidationError("cannot read scenario file \(scenario)")
            }
            data = contents
        }
        do {
            let quote = try Scenario.decode(from: data).quote()
            print(quote.json.rendered(indent: compact ? 0 : 2))
        } catch {
            FileHandle.standardError.write(Data("error: invalid scenario: \(error.field): \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }
}
