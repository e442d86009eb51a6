/// The bounds every command input is checked against before anything is decided or stored.
///
/// Input never traps the process or allocates without bound: amounts stay far from `Int64` overflow, strings and
/// lists are short. The HTTP layer enforces the same bounds, naming the field.
public enum InputLimits {
    /// Money: 0…10^10 fen (100 million yuan), the bound pricing holds amounts to (`PricingLimits.maxAmountFen`).
    public static let fen: ClosedRange<Int64> = 0...Int64(PricingLimits.maxAmountFen)
    /// Ids (SKU, store, location, customer): 1…64 characters of `A-Z a-z 0-9 . _ -`.
    public static let idLength = 1...64
    /// Names and other free text shown to people.
    public static let nameLength = 1...200
    /// Short labels: category, region, tag, taste preference.
    public static let labelLength = 1...64
    /// Lists of labels (tags, taste preferences).
    public static let labelCount = 0...32
    /// A product's shelf life in days.
    public static let shelfLifeDays: ClosedRange<Int64> = 1...3_650
    /// One receipt, adjustment or safety stock, in units.
    public static let stockQuantity: ClosedRange<Int64> = 1...1_000_000
    /// What a location may hold on hand, in units.
    public static let onHand: ClosedRange<Int64> = 0...1_000_000_000
    /// A stock adjustment's reason, a phone number, an address.
    public static let reasonLength = 1...500
    public static let phoneLength = 3...32
    public static let addressLength = 1...500

    /// True for 1…64 characters of `A-Z a-z 0-9 . _ -`: safe inside stream ids (`stock-{sku}@{location}`) and URLs.
    public static func isIdentifier(_ text: String) -> Bool {
        idLength.contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }

    /// Checks an id, naming `field` when it is not one.
    public static func identifier(_ text: String, field: String) throws(FieldError) -> String {
        guard isIdentifier(text) else {
            throw FieldError(field: field, message: "must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
        }
        return text
    }

    /// Checks free text: its length in characters, and no control characters.
    public static func text(_ text: String, field: String, length: ClosedRange<Int>) throws(FieldError) -> String {
        // The UTF-8 bound first: counting characters of a huge string is itself unbounded work.
        guard text.utf8.count <= length.upperBound * 4, length.contains(text.count) else {
            throw FieldError(
                field: field, message: "must have \(length.lowerBound) to \(length.upperBound) characters")
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
            throw FieldError(field: field, message: "must not contain control characters")
        }
        return text
    }

    /// Checks a list of labels: at most 32, each 1…64 characters, no duplicates.
    public static func labels(_ labels: [String], field: String) throws(FieldError) -> [String] {
        guard labelCount.contains(labels.count) else {
            throw FieldError(field: field, message: "may have at most \(labelCount.upperBound) entries")
        }
        var seen = Set<String>()
        for (index, label) in labels.enumerated() {
            _ = try text(label, field: "\(field)[\(index)]", length: labelLength)
            guard seen.insert(label).inserted else {
                throw FieldError(field: "\(field)[\(index)]", message: "repeats \"\(label)\"")
            }
        }
        return labels
    }

    /// Checks an integer against a range.
    public static func integer(_ value: Int64, field: String, in range: ClosedRange<Int64>) throws(FieldError) -> Int64
    {
        guard range.contains(value) else {
            throw FieldError(field: field, message: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }
}
