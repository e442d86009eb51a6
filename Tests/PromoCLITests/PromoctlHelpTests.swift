import ArgumentParser
import PromoCLI
import Testing

@Suite("promoctl command line")
struct PromoctlHelpTests {
    @Test("Every subcommand explains itself in --help")
    func helpNamesSubcommands() {
        let help = Promoctl.helpMessage()
        for name in ["migrate", "serve", "verify", "quote", "bench"] {
            #expect(help.contains(name), "promoctl --help lists \(name)")
        }
        #expect(help.contains("DATABASE_URL"))
    }

    @Test("A malformed stream id is a usage error naming the stream, not a crash")
    func verifyRejectsBadStreamID() throws {
        #expect(throws: (any Error).self) {
            var command = try Promoctl.parseAsRoot(["verify", "--database-url", "postgres://x@localhost/db", "NoCategory"])
            try command.run()
        }
    }
}
