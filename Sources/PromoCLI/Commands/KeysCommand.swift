import ArgumentParser
import EventStore
import Foundation
import PromoAPI
import PromoDomain

/// `promoctl keys create|list|revoke`: the API keys channel systems, marketing and auditors call the API with.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys.",
        discussion: """
            Roles (API.md): channel (quotes, orders, payments, refunds, customers, feedback), marketing (catalog, \
            stock, campaigns, coupons, quotes, read models), analyst (read models), auditor (streams, verify, read \
            models), admin (everything, keys, projections). Only a key's SHA-256 is stored; creating and revoking \
            are recorded as events (stream apikey-KEYID) with the operator as actor.
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print it, once, alone on the last line.",
            discussion: "The key cannot be shown again: store it where the client reads it from.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "channel, marketing, analyst, auditor or admin.")
        var role: AccessRole
        @Option(help: "What the key is for, e.g. \"online mall\". Default: the role.")
        var name: String?
        @Option(help: "Who creates the key, recorded as the event's actor. Default: promoctl:$USER.")
        var actor: String?

        func run() async throws {
            let (role, name, actor) = (role, name ?? role.rawValue, actor ?? KeysCommand.defaultActor)
            let key = try await database.withStore(maxConnections: 2) { store in
                try await ApiKeyStore(store: store).create(role: role, name: name, actor: actor)
            }
            print("created key \(key.keyId) (\(key.role.rawValue), \"\(key.name)\"); it is shown only now:")
            print(key.secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys: id, role, name, created, revoked.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let keys = try await database.withStore(maxConnections: 2) { store in
                try await ApiKeyStore(store: store).list()
            }
            let format = ISO8601DateFormatter()
            for key in keys {
                let revoked = key.revokedAt.map { "revoked \(format.string(from: $0))" } ?? "active"
                print(
                    "\(key.keyId)\t\(key.role.rawValue)\t\(key.name)\tcreated \(format.string(from: key.createdAt)) by \(key.createdBy)\t\(revoked)"
                )
            }
            if keys.isEmpty { print("no keys; create one with: promoctl keys create --role admin") }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key: every later request with it is answered 401.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The key id (from `promoctl keys list`), not the key itself.")
        var keyId: String
        @Option(help: "Who revokes the key, recorded as the event's actor. Default: promoctl:$USER.")
        var actor: String?

        func run() async throws {
            let (keyId, actor) = (keyId, actor ?? KeysCommand.defaultActor)
            do {
                try await database.withStore(maxConnections: 2) { store in
                    try await ApiKeyStore(store: store).revoke(keyId: keyId, actor: actor)
                }
            } catch let error as ApiKeyError {
                throw ValidationError(error.message)
            }
            print("revoked key \(keyId)")
        }
    }

    static var defaultActor: String {
        "promoctl:" + (ProcessInfo.processInfo.environment["USER"] ?? "operator")
    }
}

extension AccessRole: ExpressibleByArgument {}
