/// Seals and opens a customer's personal data (name, phone, address) with that customer's own key.
///
/// The domain only sees this protocol; the AES-GCM implementation and the key table live at the edge. Sealing
/// binds the text to its customer and field, so a sealed value moved to another customer or field fails to open.
public protocol PIICipher: Sendable {
    func seal(_ clearText: String, field: String) throws -> String
    func open(_ sealedText: String, field: String) throws -> String
}
