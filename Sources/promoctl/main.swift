import PromoCLI

#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    @preconcurrency import Darwin
#endif

@main
enum Main {
    static func main() async {
        // Progress lines (seeding, rebuilds, benchmarks) reach a pipe or a log file as they are printed, not when
        // a 4 KiB buffer fills or the process ends.
        setvbuf(stdout, nil, _IOLBF, 0)
        await Promoctl.runFromCommandLine()
    }
}
