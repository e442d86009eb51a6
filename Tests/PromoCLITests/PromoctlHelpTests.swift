import ArgumentParser
import PromoCLI
import Testing

@Suite("promoctl command line")
struct PromoctlHelpTests {
    @Test("Every subcommand explains itself in --help")
    func helpNamesSubcommands() {
        let help = Promoctl.helpMessage()
        for name in ["migrate", "serve", "verify", "quote", "demo", "bench"] {
            #expect(help.contains(name), "promoctl --help lists \(name)")
        }
        #expect(help.contains("DATABASE_URL"))
    }

    @Test("A malformed stream id is a usage error naming the stream; a well-formed one parses")
    func verifyRejectsBadStreamID() throws {
        let arguments = ["verify", "--database-url", "postgres://x@localhost/db"]
        #expect {
            try Promoctl.parseAsRoot(arguments + ["order-1", "NoCategory"])
        } throws: { error in
            Promoctl.exitCode(for: error) == .validationFailure && Promoctl.message(for: error).contains("NoCategory")
        }
        let parsed = try Promoctl.parseAsRoot(arguments + ["order-1", "stock-HP001@online"])
        #expect(String(describing: type(of: parsed)) == "VerifyCommand")
    }

    @Test("--head takes VERSION:HASH with one stream, and says what it wants otherwise")
    func verifyHeadOption() throws {
        let base = ["verify", "--database-url", "postgres://x@localhost/db"]
        let hash = String(repeating: "ab", count: 32)
        _ = try Promoctl.parseAsRoot(base + ["order-1", "--head", "3:\(hash)"])
        for (arguments, says) in [
            (["order-1", "order-2", "--head", "3:\(hash)"], "exactly one stream"),
            (["order-1", "--head", "3:abc"], "VERSION:HASH"),
            (["order-1", "--head", "x:\(hash)"], "VERSION:HASH"),
        ] {
            #expect {
                try Promoctl.parseAsRoot(base + arguments)
            } throws: { error in
                Promoctl.message(for: error).contains(says)
            }
        }
    }

    @Test("demo seed: --url and --key go together, --traffic needs them, counts are bounded")
    func demoSeedOptions() throws {
        for (arguments, says) in [
            (["--url", "http://127.0.0.1:8080"], "--url and --key go together"),
            (["--traffic"], "--traffic needs --url and --key"),
            (["--orders", "-1"], "--orders"),
            (["--customers", "0"], "--customers"),
        ] {
            #expect {
                try Promoctl.parseAsRoot(["demo", "seed"] + arguments)
            } throws: { error in
                Promoctl.message(for: error).contains(says)
            }
        }
        let parsed = try Promoctl.parseAsRoot(["demo", "seed", "--url", "http://x", "--key", "k", "--traffic"])
        #expect(String(describing: type(of: parsed)) == "Seed")
    }
}
