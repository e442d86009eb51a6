import PromoCLI

@main
enum Main {
    static func main() async {
        await Promoctl.runFromCommandLine()
    }
}
