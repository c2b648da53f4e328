import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and authenticates records on a second thread while the caller's thread handles the
/// records before them (``Journal/forEachRecord(_:_:)``): on two cores, decryption overlaps
/// whatever the caller does with each record (encoding an export, hashing it, writing it), and
/// each batch's records are themselves opened in two halves at once.
///
/// Same results as reading in order on one thread: records arrive in order, an error arrives
/// after every record before it, and the caller's closure always runs on the caller's thread.
/// Memory stays bounded: at most ``capacity`` batches of at most ``batchRecordCount`` records
/// wait, holding at most ``maximumQueuedBytes`` of payload together (a record larger than that
/// waits alone), plus the batch being read and the one being handled. The reading thread never
/// outlives the call: it is joined before ``run(journal:filter:readerEnded:body:)`` returns or
/// throws, after it released what it captured.
enum ReadAhead {
    static let capacity = 8
    static let batchRecordCount = 128
    static let batchByteCount = 192 << 10
    /// Payload bytes the queued batches may hold together (a single larger record still passes
    /// alone, so at most three records are held then: queued, being read, being handled).
    static let maximumQueuedBytes = 1 << 20
    /// Below this many committed records, a second thread costs more than it saves.
    static let minimumRecordCount: UInt64 = 256

    enum Batch {
        case records([JournalRecord])
        case failed(JournalError)
    }

    /// Whether reading `recordCount` records is worth a second thread on this machine.
    static func isWorthwhile(recordCount: UInt64) -> Bool {
        recordCount >= minimumRecordCount && Cores.areSeveral
    }

    /// `readerEnded` (tests) is called on the reading thread as its last act.
    static func run(journal: Journal, filter: RecordFilter, readerEnded: (@Sendable () -> Void)? = nil,
                    body: (JournalRecord) throws -> Void) throws {
        let channel = BoundedChannel<Batch>(capacity: capacity, maximumWeight: maximumQueuedBytes)
        let reader = JoinedThread {
            defer { readerEnded?() }
            produce(journal: journal, filter: filter, into: channel)
        }
        defer {
            channel.abandon()
            reader.join()
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
            // The records of each batch are opened in parts on both cores (see RecordCursor.nextBatch).
            let openers = cursor.batchOpeners(journal: journal)
            while true {
                let batch = cursor.nextBatch(limit: batchRecordCount, byteLimit: batchByteCount, openers: openers)
                if !batch.records.isEmpty {
                    guard channel.put(.records(batch.records), weight: batch.records.reduce(0) { $0 + $1.payload.count }) else { return }
                }
                if let failure = batch.failure { _ = channel.put(.failed(failure)) }
                if batch.finished { return }
            }
        } catch {
            _ = channel.put(.failed(error))
        }
    }
}
