import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// What the multi-core paths (read-ahead, parallel sealing, import commits, the disclosure
// digest) share: a bounded hand-over between two threads, a thread that is joined, a wrapper
// for values handed to another thread, and work split in parts over whichever threads are free.

/// The number of cores this process may use, read once: Foundation's
/// `ProcessInfo.activeProcessorCount` reads the cgroup files on every call (four system calls),
/// and the parallel paths ask for every batch.
enum Cores {
    /// Whether a second thread can run at the same time as this one.
    static let areSeveral = ProcessInfo.processInfo.activeProcessorCount > 1
}

/// A hand-over between one producing thread and one consuming thread that holds at most
/// `capacity` items and, when items are given a weight (their bytes), at most `maximumWeight`
/// of it (an item heavier than that alone is let in when the channel is empty): ``put(_:weight:)``
/// waits while it is full, ``take()`` while it is empty. A taken item is moved out, so the
/// taker holds the only reference the channel had.
///
/// pthread mutex and condition variables (not `Synchronization.Mutex`, for the reason given on
/// ``Locked``: ThreadSanitizer models these). `@unchecked Sendable`: every stored property is
/// reached only with `mutex` held.
final class BoundedChannel<Element>: @unchecked Sendable {
    private let capacity: Int
    private let maximumWeight: Int
    /// Taken items are moved out (set to `nil`), so the taker holds the only reference.
    private var items: [(item: Element, weight: Int)?] = []
    private var weight = 0
    private var head = 0
    /// The producer has put its last item.
    private var finished = false
    /// The consumer has gone: ``put(_:)`` returns `false` from now on.
    private var abandoned = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(capacity: Int, maximumWeight: Int = .max) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.maximumWeight = maximumWeight
        mutex.initialize(to: pthread_mutex_t())
        changed.initialize(to: pthread_cond_t())
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    /// Hands `item` over, waiting for room; `false` (item dropped) once the consumer has gone.
    func put(_ item: Element, weight itemWeight: Int = 0) -> Bool {
        locked {
            while !abandoned && head < items.count
                    && (items.count - head >= capacity || weight + itemWeight > maximumWeight) {
                pthread_cond_wait(changed, mutex)
            }
            guard !abandoned else { return false }
            if head > 0 && head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            }
            items.append((item, itemWeight))
            weight += itemWeight
            pthread_cond_broadcast(changed)
            return true
        }
    }

    /// The producer is done: ``take()`` returns `nil` once the items put so far are taken.
    func finish() {
        locked {
            finished = true
            pthread_cond_broadcast(changed)
        }
    }

    /// The next item, waiting for one; `nil` when the producer has finished and all were taken.
    func take() -> Element? {
        locked {
            while head == items.count && !finished { pthread_cond_wait(changed, mutex) }
            return takeFirst()
        }
    }

    /// The next item if one is waiting, without waiting.
    func tryTake() -> Element? {
        locked { takeFirst() }
    }

    /// Moves the first waiting item out, if any (the mutex is held).
    private func takeFirst() -> Element? {
        guard head < items.count, let (item, itemWeight) = items[head].take() else { return nil }
        head += 1
        weight -= itemWeight
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        pthread_cond_broadcast(changed)
        return item
    }

    /// The consumer leaves early: a waiting ``put(_:)`` returns `false`, items not taken are dropped.
    func abandon() {
        locked {
            abandoned = true
            items.removeAll()
            head = 0
            weight = 0
            pthread_cond_broadcast(changed)
        }
    }
}

/// A thread that runs one closure and is joined: ``join()`` returns once the thread has ended,
/// after the closure and everything it captured (a journal, a key) were released. Foundation's
/// `Thread` gives no join: a semaphore signalled at the end of its closure still leaves the
/// captures alive for a moment after the signal.
final class JoinedThread {
    private var thread = pthread_t()
    private var joined = false

    /// Starts `body` on a new thread (a thread of its own, not a shared pool's: callers block on
    /// it, and a pool whose threads were all blocked callers would never run it).
    init(_ body: @escaping @Sendable () -> Void) {
        final class Box {
            var body: (@Sendable () -> Void)?
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let status = pthread_create(&thread, nil, { context in
            let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
            box.body?()
            box.body = nil  // the closure and its captures go before the thread ends
            return nil
        }, box)
        precondition(status == 0, "could not start a thread (error \(status))")
    }

    /// Waits for the thread to end. Call it once.
    func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    deinit { join() }
}

/// Carries values that are not `Sendable` into a closure run on another thread, where the
/// caller guarantees (and says, where it is used) that no two threads touch the same part.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Runs work over `0..<count` in parts on as many threads as libdispatch gives at once (the
/// calling thread among them), each part with a worker state of its own (a ``RecordCipher``:
/// its key scratch may be used by one thread at a time) borrowed from a pool and given back.
///
/// Parts, not halves: a fixed two-way split waits at its end for the slower half, and the
/// thread that runs a split usually has other work too (reading frames, parsing), so its half
/// came late while the other core idled. libdispatch hands each part to whichever thread is
/// free, so the load balances itself. `make` is called when every state is in use, so the pool
/// grows to the most parts that ever ran at once (at most one per thread libdispatch gives, the
/// caller's included); states are kept for the next call.
final class SplitWork<State>: @unchecked Sendable {
    /// Parts of at least this many items (fewer items: one part, on the calling thread).
    let minimumPartCount: Int
    private let free: Locked<[UncheckedSendable<State>]>
    private let make: () throws -> State

    /// A pool holding `states` first, making more with `make` when they are all in use.
    /// `@unchecked Sendable`: a state is reached by one thread at a time, between its borrowing
    /// and its return under the lock.
    init(_ states: [State] = [], minimumPartCount: Int = 8, make: @escaping () throws -> State) {
        free = Locked(states.map(UncheckedSendable.init))
        self.minimumPartCount = max(1, minimumPartCount)
        self.make = make
    }

    /// Calls `body` with each part's range of `0..<count` and a state for that part, on up to
    /// as many threads at once as there are cores, and returns once every part has run. An
    /// error making a state is handed to `failed` with the part's range instead.
    func run(count: Int, maximumParts: Int = 8,
             _ body: (Range<Int>, State) -> Void, failed: (Range<Int>, any Error) -> Void) {
        guard count > 0 else { return }
        let parts = Cores.areSeveral ? max(1, min(maximumParts, count / minimumPartCount)) : 1
        // Unchecked: each part touches only its own range, and `body` and `failed` (run while
        // this call waits) only what the caller says is safe for disjoint ranges.
        withoutActuallyEscaping(body) { body in
            withoutActuallyEscaping(failed) { failed in
                let shared = UncheckedSendable((body: body, failed: failed, pool: self))
                let runPart: @Sendable (Int) -> Void = { part in
                    let range = (part * count / parts)..<((part + 1) * count / parts)
                    let state: State
                    do { state = try shared.value.pool.borrow() } catch {
                        shared.value.failed(range, error)
                        return
                    }
                    defer { shared.value.pool.giveBack(state) }
                    shared.value.body(range, state)
                }
                if parts == 1 { runPart(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: runPart) }
            }
        }
    }

    private func borrow() throws -> State {
        if let state = free.withLock({ $0.popLast() }) { return state.value }
        return try make()
    }

    private func giveBack(_ state: State) {
        free.withLock { $0.append(UncheckedSendable(state)) }
    }
}
