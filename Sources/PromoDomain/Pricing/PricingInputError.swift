/// Invalid input to the pricing engine or a scenario file, naming the offending field.
///
/// Bad input is the caller's problem, never a crash: the HTTP layer maps this to a 400
/// with `field` in the details, the CLI prints it and exits non-zero.
public struct PricingInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Dotted path of the field, e.g. `campaigns[2].rules.tiers[0].thresholdFen`.
    public var field: String
    /// Human-readable explanation, safe to show to an operator.
    public var message: String
    /// The SKU, when the input names one the catalog does not have (API.md: 422 `unknown_sku`, not a 400).
    public var unknownSKU: String?

    public init(field: String, message: String, unknownSKU: String? = nil) {
        self.field = field
        self.message = message
        self.unknownSKU = unknownSKU
    }

    public var description: String { "invalid \(field): \(message)" }
}
