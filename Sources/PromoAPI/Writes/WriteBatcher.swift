import EventStore
import Hummingbird

/// Queues the commands of this process so that those sharing a stream run one batch at a time, in arrival order,
/// and those waiting on a busy stream are decided together when it is free.
///
/// A command whose streams are all free starts at once, with every other waiting command that shares one of its
/// streams. One whose streams are busy (a batch holding them is appending) waits, and so does every later
/// command sharing a stream with it, so a stream's commands are decided in the order they came. When a batch
/// ends, everything that waited for its streams forms the next batch: the busier a stream, the bigger its
/// batches, and the cost of an append is shared by all of them.
///
/// Batches run in tasks of their own, so a client that goes away (cancelling its request) never cancels a batch
/// that other commands ride in.
actor WriteBatcher {
    private struct Waiting {
        var command: CommandRunner.Command
        var streams: Set<StreamID>
        var continuation: CheckedContinuation<Response, any Error>
        var order: UInt64
    }

    private var queue: [Waiting] = []
    private var busy: Set<StreamID> = []
    /// How many waiting commands name each stream: a new command sharing none of them and no busy stream can
    /// start at once, without a pass over the queue.
    private var claimed: [StreamID: Int] = [:]
    private var arrivals: UInt64 = 0
    /// The most commands one batch takes.
    let maxBatch: Int

    init(maxBatch: Int = 128) {
        self.maxBatch = maxBatch
    }

    func submit(_ command: CommandRunner.Command, runner: CommandRunner) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            arrivals += 1
            let waiting = Waiting(
                command: command, streams: Set(command.streams), continuation: continuation, order: arrivals)
            // Every command already waiting is blocked (by a busy stream or one before it), and stays so: a pass
            // over the queue could only start this one, alone, when nothing busy or waiting shares a stream with
            // it. So that is all that is checked; the queue is scheduled again when a batch ends.
            if waiting.streams.isDisjoint(with: busy), !waiting.streams.contains(where: { claimed[$0] != nil }) {
                start([waiting], streams: waiting.streams, runner: runner)
            } else {
                queue.append(waiting)
                for stream in waiting.streams { claimed[stream, default: 0] += 1 }
            }
        }
    }

    /// How many commands wait for a busy stream now.
    var waitingCount: Int { queue.count }

    private func schedule(_ runner: CommandRunner) {
        var blocked = busy
        var batches: [(waiting: [Waiting], streams: Set<StreamID>)] = []
        var left: [Waiting] = []
        for waiting in queue {
            guard waiting.streams.isDisjoint(with: blocked) else {
                left.append(waiting)
                blocked.formUnion(waiting.streams)
                continue
            }
            let joined = batches.indices.filter { !batches[$0].streams.isDisjoint(with: waiting.streams) }
            let size = joined.reduce(1) { $0 + batches[$1].waiting.count }
            if size > maxBatch {
                left.append(waiting)
                blocked.formUnion(waiting.streams)
                continue
            }
            var batch = (waiting: [Waiting](), streams: waiting.streams)
            for index in joined {
                batch.waiting += batches[index].waiting
                batch.streams.formUnion(batches[index].streams)
            }
            batch.waiting.append(waiting)
            for index in joined.reversed() { batches.remove(at: index) }
            batches.append(batch)
        }
        queue = left
        claimed = [:]
        for waiting in left { for stream in waiting.streams { claimed[stream, default: 0] += 1 } }
        // In arrival order: a merged batch lists its parts one after another.
        for batch in batches {
            start(batch.waiting.sorted { $0.order < $1.order }, streams: batch.streams, runner: runner)
        }
    }

    /// Runs a batch in a task of its own, its streams busy until it ends.
    private func start(_ waiting: [Waiting], streams: Set<StreamID>, runner: CommandRunner) {
        busy.formUnion(streams)
        Task.detached {
            let results = await runner.run(waiting.map(\.command))
            for (waiting, result) in zip(waiting, results) { waiting.continuation.resume(with: result) }
            await self.finished(streams, runner: runner)
        }
    }

    private func finished(_ streams: Set<StreamID>, runner: CommandRunner) {
        busy.subtract(streams)
        schedule(runner)
    }
}
