import Crypto
import Foundation
import PromoDomain

/// Seals a customer's personal data with AES-256-GCM under that customer's own key.
///
/// A sealed value is `aesgcm1:` + base64(nonce ‖ ciphertext ‖ tag), with a fresh random nonce each time. The
/// customer id and field name are authenticated data: a value copied to another customer or field fails to open.
struct AESGCMCipher: PIICipher {
    static let prefix = "aesgcm1:"

    let customerId: String
    let key: SymmetricKey

    func seal(_ clearText: String, field: String) throws -> String {
        let box = try AES.GCM.seal(Data(clearText.utf8), using: key, authenticating: associatedData(field))
        guard let combined = box.combined else { throw CipherError.sealFailed }
        return Self.prefix + combined.base64EncodedString()
    }

    func open(_ sealedText: String, field: String) throws -> String {
        guard sealedText.hasPrefix(Self.prefix), let data = Data(base64Encoded: String(sealedText.dropFirst(8))) else {
            throw CipherError.notSealed
        }
        let clear = try AES.GCM.open(
            try AES.GCM.SealedBox(combined: data), using: key, authenticating: associatedData(field))
        return String(decoding: clear, as: UTF8.self)
    }

    private func associatedData(_ field: String) -> Data { Data("customer:\(customerId):\(field)".utf8) }

    enum CipherError: Error {
        case sealFailed, notSealed
    }
}
