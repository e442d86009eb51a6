/// Input that breaks a bound or a format, naming the field (`tags[2]`, `consents.sms`) so a caller can fix it.
///
/// The HTTP layer answers it as a 400 with the field in `details.field`.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
