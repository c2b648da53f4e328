import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A hand-over between one producing thread and one consuming thread that holds at most
/// `capacity` items: ``put(_:)`` waits while it is full, ``take()`` while it is empty.
///
/// pthread mutex and condition variables (not `Synchronization.Mutex`, for the reason given on
/// ``Locked``: ThreadSanitizer models these). `@unchecked Sendable`: every stored property is
/// reached only with `mutex` held.
final class BoundedChannel<Element>: @unchecked Sendable {
    private let capacity: Int
    /// Taken items are moved out (set to `nil`), so the taker holds the only reference.
    private var items: [Element?] = []
    private var head = 0
    /// The producer has put its last item.
    private var finished = false
    /// The consumer has gone: ``put(_:)`` returns `false` from now on.
    private var abandoned = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
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
    func put(_ item: Element) -> Bool {
        locked {
            while !abandoned && items.count - head >= capacity { pthread_cond_wait(changed, mutex) }
            guard !abandoned else { return false }
            if head > 0 && head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            }
            items.append(item)
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
            guard head < items.count, let item = items[head].take() else { return nil }
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            }
            pthread_cond_broadcast(changed)
            return item
        }
    }

    /// The consumer leaves early: a waiting ``put(_:)`` returns `false`, items not taken are dropped.
    func abandon() {
        locked {
            abandoned = true
            items.removeAll()
            head = 0
            pthread_cond_broadcast(changed)
        }
    }
}

/// Reads and authenticates records on a second thread while the caller's thread handles the
/// records before them (``Journal/forEachRecord(_:_:)``): on two cores, decryption overlaps
/// whatever the caller does with each record (encoding an export, hashing it, writing it), and
/// each batch's records are themselves opened in two halves at once.
///
/// Same results as reading in order on one thread: records arrive in order, an error arrives
/// after every record before it, and the caller's closure always runs on the caller's thread.
/// Memory stays bounded: at most ``capacity`` batches of at most ``batchRecordCount`` records
/// or ``batchByteCount`` payload bytes wait (at most 1.5 MiB of plaintext). The reading thread never
/// outlives the call: it is waited for before ``run(journal:filter:body:)`` returns or throws.
enum ReadAhead {
    static let capacity = 8
    static let batchRecordCount = 128
    static let batchByteCount = 192 << 10
    /// Below this many committed records, a second thread costs more than it saves.
    static let minimumRecordCount: UInt64 = 256

    enum Batch {
        case records([JournalRecord])
        case failed(JournalError)
    }

    /// Whether reading `recordCount` records is worth a second thread on this machine.
    static func isWorthwhile(recordCount: UInt64) -> Bool {
        recordCount >= minimumRecordCount && ProcessInfo.processInfo.activeProcessorCount > 1
    }

    /// `readerEnded` (tests) is called on the reading thread as its last act.
    static func run(journal: Journal, filter: RecordFilter, readerEnded: (@Sendable () -> Void)? = nil,
                    body: (JournalRecord) throws -> Void) throws {
        let channel = BoundedChannel<Batch>(capacity: capacity)
        let exited = DispatchSemaphore(value: 0)
        // A thread of its own, not a shared pool's: the caller blocks on it, and a pool whose
        // threads are all blocked callers would never run it.
        let reader = Thread {
            defer {
                readerEnded?()
                exited.signal()
            }
            produce(journal: journal, filter: filter, into: channel)
        }
        reader.name = "SealedJournal.read-ahead"
        reader.start()
        defer {
            channel.abandon()
            exited.wait()
        }
        while let batch = channel.take() {
            switch batch {
            case let .records(records): for record in records { try body(record) }
            case let .failed(error): throw error
            }
        }
    }

    private static func produce(journal: Journal, filter: RecordFilter, into channel: BoundedChannel<Batch>) {
        defer { channel.finish() }
        do throws(JournalError) {
            var cursor = try journal.cursor(filter)
            // The records of each batch are opened in two halves at once (see RecordCursor.nextBatch).
            let second = try JournalError.mapping { try RecordCipher(masterKey: journal.masterKey, journalID: journal.journalID) }
            while true {
                let batch = cursor.nextBatch(limit: batchRecordCount, byteLimit: batchByteCount, second: second)
                if !batch.records.isEmpty { guard channel.put(.records(batch.records)) else { return } }
                if let failure = batch.failure { _ = channel.put(.failed(failure)) }
                if batch.finished { return }
            }
        } catch {
            _ = channel.put(.failed(error))
        }
    }
}
