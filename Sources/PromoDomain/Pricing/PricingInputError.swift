/// Invalid input to the pricing engine or a scenario file, naming the offending field.
///
/// Bad input is the caller's problem, never a crash: the HTTP layer maps this to a 400
/// with `field` in the details, the CLI prints it and exits non-zero.
public struct PricingInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Dotted path of the field, e.g. `campaigns[2].rules.tiers[0].thresholdFen`.
    public var field: String
    /// Human-readable explanation, safe to show to an operator.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "invalid \(field): \(message)" }
}
