import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// CPU time spent, for a benchmark's cost per operation: by the whole machine (every process, the database's
/// among them) and by this process.
struct CPUTime {
    /// CPU-seconds the machine spent busy (user, nice, system, irq, softirq, steal in /proc/stat); nil where
    /// /proc is not available.
    var machine: Double?
    /// CPU-seconds this process spent (user and system).
    var process: Double

    static func now() -> CPUTime {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let process =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
        return CPUTime(machine: machineBusySeconds(), process: process)
    }

    private static func machineBusySeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal
        let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
        return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Microseconds of machine and of process CPU per operation between `start` and now.
    static func perOperation(since start: CPUTime, operations: Int) -> (machine: Double?, process: Double) {
        let end = now()
        let count = Double(max(1, operations))
        let machine = both(start.machine, end.machine).map { ($1 - $0) * 1e6 / count }
        return (machine, (end.process - start.process) * 1e6 / count)
    }
}

private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
