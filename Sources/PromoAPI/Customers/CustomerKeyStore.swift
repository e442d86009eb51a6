import Crypto
import EventStore
import Foundation
import Logging
import PostgresNIO

/// One AES-256 key per customer, in `customer_keys`: what the personal data in their events is sealed with.
///
/// Keys never enter an event. Deleting a customer's row crypto-shreds their name, phone and address in every
/// stored event, without rewriting history (and so without breaking the hash chain).
struct CustomerKeyStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// The customer's key; with `create`, a new one is made when there is none (two racing creators get the same).
    func key(for customerId: String, create: Bool) async throws -> SymmetricKey? {
        if create {
            let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            try await client.withOpenConnection { connection in
                try await connection.query(
                    """
                    INSERT INTO customer_keys (customer_id, key) VALUES (\(customerId), \(fresh))
                    ON CONFLICT (customer_id) DO NOTHING
                    """, logger: logger)
            }
        }
        let keys = try await client.rows(
            "SELECT key FROM customer_keys WHERE customer_id = \(customerId)", logger: logger
        ) { try $0.decode(Data.self) }
        return keys.first.map { SymmetricKey(data: $0) }
    }
}
