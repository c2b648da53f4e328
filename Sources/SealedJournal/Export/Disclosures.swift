import Foundation

/// Exports that account for themselves: the export is written, then a sealed ``Disclosure``
/// record (when, to whom, purpose, scope, format and a SHA-256 digest of the plaintext export)
/// is appended to the journal, as 42 CFR Part 2 expects an accounting of disclosures.
public struct DisclosureRequest: Sendable {
    /// A name ("Dr. Lee", "owner"), or the recipient keys.
    public var recipient: String
    /// Why the recipient receives it ("weekly monitoring"); recorded in the journal with the export.
    public var purpose: String
    /// Text the recipient must see first (a redisclosure notice...), sealed into the export.
    public var notice: String?

    /// A request to disclose to `recipient` for `purpose`, showing `notice` first when given. Both
    /// texts are content: they are sealed into the journal's ``Disclosure`` record.
    public init(recipient: String, purpose: String, notice: String? = nil) {
        self.recipient = recipient
        self.purpose = purpose
        self.notice = notice
    }
}

/// Where a disclosure's bytes go: `write` receives them (the plaintext, or age ciphertext when
/// there are recipients).
public struct DisclosureOutput {
    /// age recipients the output is encrypted to; empty for plaintext.
    public var recipients: [AgeRecipient]
    /// ASCII-armor the age output (PEM-style text instead of binary).
    public var armored: Bool
    /// Receives the output in pieces of about 64 KiB, in order.
    public var write: (Data) throws -> Void
    /// Whether what `write` accepts has left at once (a pipe, standard output, a socket), so a
    /// disclosure that stops midway has still disclosed something: it is then recorded as
    /// partial (see ``Journal/disclose(_:to:output:beforeRecording:)``). `false` for an output
    /// that is discarded when the disclosure fails (a file written whole or not at all).
    public var recordsPartialOutput: Bool
    /// Called (with ``recordsPartialOutput``) when the disclosure stops on an error after some
    /// plaintext reached `write`: with the partial disclosure recorded, or `nil` when recording
    /// failed (also when all of the output left and only its record failed). For age output only
    /// plaintext in chunks wholly written counts; not called when none did (an age header, or a
    /// first chunk cut short, discloses nothing), so a caller can say exactly what happened.
    public var partialDisclosure: ((Disclosure?) -> Void)?

    /// An output that hands the bytes to `write`, age-encrypted to `recipients` when there are any.
    public init(recipients: [AgeRecipient] = [], armored: Bool = false, recordsPartialOutput: Bool = false,
                partialDisclosure: ((Disclosure?) -> Void)? = nil, write: @escaping (Data) throws -> Void) {
        self.recipients = recipients
        self.armored = armored
        self.recordsPartialOutput = recordsPartialOutput
        self.partialDisclosure = partialDisclosure
        self.write = write
    }
}

/// Something a journal can disclose: an owner export (``OwnerExport/Records``), a compliance
/// report (``ComplianceReport/Rendering``), an audit bundle (``AuditBundle/Request``), or the
/// HTML page of the SealedJournalHTML module. Pass it to ``Journal/disclose(_:to:output:beforeRecording:)``,
/// the one way to produce shared output and record it.
public protocol Disclosable {
    /// What the caller gets back besides the disclosure (a record count, the bundle...).
    associatedtype Summary
    /// The format name recorded in the ``Disclosure`` (`ndjson`, `compliance-report-markdown`...).
    var disclosureFormat: String { get }
    /// Writes the plaintext through `sink`, in order, showing `notice` first when the format can
    /// carry one; returns the summary and the scope text recorded in the ``Disclosure``.
    /// - Throws: ``JournalError`` (or what `sink` throws); nothing is recorded then.
    func produce(from journal: Journal, notice: String?, into sink: (String) throws -> Void) throws -> DisclosureProduct<Summary>
    /// ``produce(from:notice:into:)`` handing the same plaintext over as UTF-8 bytes, valid only
    /// until `sink` returns (what ``Journal/disclose(_:to:output:beforeRecording:)`` calls). The
    /// default hands over the bytes of each string `produce(from:notice:into:)` writes; a type
    /// that encodes bytes anyway (``OwnerExport/Records``) writes them without a string each.
    /// - Throws: as ``produce(from:notice:into:)``.
    func produceUTF8(from journal: Journal, notice: String?, into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> DisclosureProduct<Summary>
}

extension Disclosable {
    /// The bytes of each string ``produce(from:notice:into:)`` writes.
    /// - Throws: as ``produce(from:notice:into:)``.
    public func produceUTF8(from journal: Journal, notice: String?, into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> DisclosureProduct<Summary> {
        try produce(from: journal, notice: notice) { text in
            var text = text
            try text.withUTF8 { try sink(UnsafeRawBufferPointer($0)) }
        }
    }
}

/// What ``Disclosable/produce(from:notice:into:)`` returns.
public struct DisclosureProduct<Summary> {
    /// Handed back to the caller in ``Disclosed/summary``.
    public var summary: Summary
    /// What was disclosed, in words, as the ``Disclosure`` record keeps it (no content).
    public var scope: String

    /// A product with `summary` for the caller and `scope` for the record.
    public init(summary: Summary, scope: String) {
        self.summary = summary
        self.scope = scope
    }
}

/// The result of ``Journal/disclose(_:to:output:beforeRecording:)``.
public struct Disclosed<Summary> {
    /// The disclosure record appended to the journal.
    public let disclosure: Disclosure
    /// What the disclosed content reported (a record count, the bundle...).
    public let summary: Summary
}

extension Journal {
    /// Produces `content`, hands it to `output` (age-encrypted when it has recipients), and then
    /// appends a ``Disclosure`` record: to whom, why, the scope, the format, and the SHA-256 of
    /// the plaintext. The journal must be open for writing.
    ///
    /// ```swift
    /// let shared = try journal.disclose(OwnerExport.Records(format: .ndjson),
    ///                                   to: DisclosureRequest(recipient: "Dr. Lee", purpose: "weekly review"),
    ///                                   output: DisclosureOutput(write: { sink.append($0) }))
    /// print(shared.summary, "records;", shared.disclosure.digest ?? "")
    /// ```
    ///
    /// Plaintext is held in memory only in pieces of about 64 KiB (wiped after each hand-over);
    /// an audit bundle is built whole first.
    /// - Parameters:
    ///   - content: what to disclose (``OwnerExport/Records``, ``ComplianceReport/Rendering``,
    ///     ``AuditBundle/Request``...).
    ///   - request: to whom, why, and a notice shown first when the format can carry one.
    ///   - output: where the bytes go, and the age recipients they are encrypted to.
    ///   - beforeRecording: called after the last byte was handed to `write`, before the
    ///     disclosure is recorded (e.g. to fsync and close a file); if it throws, nothing is recorded.
    /// - Returns: the disclosure recorded and the content's summary.
    /// - Throws: ``JournalError/readOnly``; what `content` or `output.write` throw; nothing is
    ///   recorded then, unless `output.recordsPartialOutput` is set and some output was already
    ///   handed to `write`: then a disclosure whose scope begins with `partial:` (how many bytes
    ///   of plaintext were handed over) and whose digest is over those bytes is recorded before
    ///   the error is thrown.
    @discardableResult
    public func disclose<Content: Disclosable>(_ content: Content, to request: DisclosureRequest, output: DisclosureOutput,
                                               beforeRecording: () throws -> Void = {}) throws -> Disclosed<Content.Summary> {
        guard mode == .readWrite else { throw JournalError.readOnly }
        // Everything the final append would check (not retired, the file still the one at the
        // path, no damage after the last commit) is checked before a byte is produced, so the
        // usual reasons for output without its record are refused up front.
        try refresh()
        let recipients = output.recipients, write = output.write
        let encryptor = recipients.isEmpty ? nil : try AgeEncryptor(recipients: recipients, armored: output.armored, output: write)
        // The plaintext is collected in pieces of 64 KiB (memory of their own, never copied
        // behind our back): each piece is handed to `write` (a copy, wiped after it returns) or
        // to the encryptor, then to the digest, which hashes it on a second thread when there is
        // a core for it and wipes it in place (see ``PieceDigest``).
        let digest = PieceDigest(pieceByteCount: OwnerExport.outputPieceByteCount)
        var pending = digest.emptyPiece()
        /// Pieces handed to the encryptor whose age chunks have not wholly reached the output yet
        /// (at most a chunk or two): hashed once they have, so a partial disclosure counts and
        /// hashes only plaintext a reader of the output could decrypt.
        var awaiting: [PlaintextPiece] = []
        var digestFinished = false
        defer {
            pending.wipe()
            for piece in awaiting { piece.wipe() }
            if !digestFinished { _ = digest.finish() }
        }
        /// Plaintext bytes that reached `write` (for age output: in chunks wholly written) and were hashed.
        var delivered = 0
        func hashDelivered() {
            guard let encryptor else { return }
            while let first = awaiting.first, delivered + first.count <= encryptor.plaintextDelivered {
                delivered += first.count
                digest.add(awaiting.removeFirst())  // the digest owns the piece from here: it hashes and wipes it
            }
        }
        func flush() throws {
            guard !pending.isEmpty else { return }
            if let encryptor {
                let piece = pending
                awaiting.append(piece)
                pending = digest.emptyPiece()
                try encryptor.write(piece.bytes)
                hashDelivered()
            } else {
                var handed = Data(pending.bytes)
                defer { handed.withUnsafeMutableBytes { Sodium.wipe($0) } }
                try write(handed)
                delivered += pending.count
                digest.add(pending)  // the digest owns the piece from here: it hashes and wipes it
                pending = digest.emptyPiece()
            }
        }
        let format = content.disclosureFormat + (recipients.isEmpty ? "" : output.armored ? "+age-armor" : "+age")
        /// Output that already left (a pipe) was disclosed, even if only in part: recorded as such,
        /// and the caller told what was recorded (`nil`: recording failed too).
        func recordPartial(digest sha256: [UInt8], _ what: String) {
            guard output.recordsPartialOutput && delivered > 0 else { return }
            let partial = Disclosure(
                recipient: request.recipient, purpose: request.purpose,
                scope: "partial: \(delivered) bytes of plaintext reached the output before the disclosure stopped \(what); the digest covers those bytes",
                format: format, digest: Hex.encode(sha256))
            // Appended first, whether or not anyone is told (an optional call skips its argument).
            let recorded = (try? append(partial)).map { _ in partial }
            output.partialDisclosure?(recorded)
        }
        let product: DisclosureProduct<Content.Summary>
        func collect(_ bytes: UnsafeRawBufferPointer) throws {
            var offset = 0
            while offset < bytes.count {
                offset += pending.append(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                if pending.isFull { try flush() }
            }
        }
        do {
            product = try content.produceUTF8(from: self, notice: request.notice, into: collect)
            try flush()
            try encryptor?.finish()
            hashDelivered()
        } catch {
            digestFinished = true
            recordPartial(digest: digest.finish(), "on an error")
            throw error
        }
        digestFinished = true
        let sha256 = digest.finish()
        do { try beforeRecording() } catch {
            recordPartial(digest: sha256, "when its output was being completed")
            throw error
        }
        let disclosure = Disclosure(
            recipient: request.recipient, purpose: request.purpose, scope: product.scope,
            format: format, digest: Hex.encode(sha256))
        do { try append(disclosure) } catch {
            // All of it left, and recording it failed: the caller is told nothing was recorded.
            if output.recordsPartialOutput && delivered > 0 { output.partialDisclosure?(nil) }
            throw error
        }
        return Disclosed(disclosure: disclosure, summary: product.summary)
    }
}

extension OwnerExport {
    /// An owner export to disclose: the records matching `filter` in `format` (see
    /// ``OwnerExport/write(_:format:filter:timeZone:notice:progress:damaged:to:)``). Its summary is
    /// the number of records exported.
    public struct Records: Disclosable {
        /// The export format.
        public var format: ExportFormat
        /// Which records (all by default).
        public var filter: RecordFilter
        /// Time zone for readable times (Markdown).
        public var timeZone: TimeZone
        /// Called with the number of records written so far.
        public var progress: ((Int) -> Void)?
        /// When set, the export salvages: it goes on past records that cannot be read and reports
        /// each one here (``Journal/salvageRecords(_:_:)``), instead of stopping.
        public var damaged: ((DamagedRecord) -> Void)?

        /// The records matching `filter` in `format`.
        public init(format: ExportFormat, filter: RecordFilter = .all, timeZone: TimeZone = .current,
                    progress: ((Int) -> Void)? = nil, damaged: ((DamagedRecord) -> Void)? = nil) {
            self.format = format
            self.filter = filter
            self.timeZone = timeZone
            self.progress = progress
            self.damaged = damaged
        }

        /// The format's name (`json`, `ndjson`, `csv`, `markdown`).
        public var disclosureFormat: String { format.rawValue }

        /// Writes the export; the scope names the kinds, days, tag and record count.
        public func produce(from journal: Journal, notice: String?, into sink: (String) throws -> Void) throws -> DisclosureProduct<Int> {
            let count = try OwnerExport.write(journal, format: format, filter: filter, timeZone: timeZone, notice: notice,
                                              progress: progress, damaged: damaged, to: sink)
            return DisclosureProduct(summary: count, scope: OwnerExport.scopeDescription(filter, records: count, notice: notice != nil))
        }

        /// The same bytes as ``produce(from:notice:into:)``, JSON and NDJSON records encoded into
        /// one reused buffer wiped after each record is handed over (no String per record).
        /// - Throws: as ``produce(from:notice:into:)``.
        public func produceUTF8(from journal: Journal, notice: String?, into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> DisclosureProduct<Int> {
            let count = try OwnerExport.writeBytes(journal, format: format, filter: filter, timeZone: timeZone, notice: notice,
                                                   progress: progress, damaged: damaged, to: sink)
            return DisclosureProduct(summary: count, scope: OwnerExport.scopeDescription(filter, records: count, notice: notice != nil))
        }
    }

    /// Plaintext bytes collected before one call of an export's `write`.
    static let outputPieceByteCount = 64 << 10

    static func scopeDescription(_ filter: RecordFilter, records: Int, notice: Bool) -> String {
        var kinds = filter.kinds.map { $0.sorted().map(\.rawValue).joined(separator: ",") } ?? "all"
        if filter.kinds == nil && !filter.excludingKinds.isEmpty {
            kinds += " but " + filter.excludingKinds.sorted().map(\.rawValue).joined(separator: ",")
        }
        var parts = ["kinds: " + kinds]
        // As the user asked: local days (the filter's `to` is the start of the day after the last one).
        parts.append("days: " + (filter.from.map { LocalDate(date: $0).description } ?? "the start") + " to "
                     + (filter.to.map { LocalDate(date: $0.addingTimeInterval(-0.001)).description } ?? "now"))
        if let tag = filter.tag { parts.append("tag: \(tag)") }
        parts.append("records: \(records)")
        if notice { parts.append("with notice") }
        return parts.joined(separator: "; ")
    }
}

/// 64 KiB (or so) of disclosed plaintext in memory of its own, not a Swift array (whose
/// copy-on-write could make a wipe hit a copy while the original is freed unwiped). Used by one
/// thread at a time, handed over through a ``BoundedChannel``; wiped in place, and on release.
final class PlaintextPiece: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(capacity: Int) {
        storage = .allocate(byteCount: capacity, alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        Sodium.wipe(storage)
        storage.deallocate()
    }

    var isEmpty: Bool { count == 0 }
    var isFull: Bool { count == storage.count }
    /// The bytes filled so far (valid until the next change).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<count]) }
    /// Whether every byte of the storage is zero (tests).
    var isWiped: Bool { count == 0 && !storage.contains { $0 != 0 } }

    /// Copies as much of `source` as fits; returns how many bytes were taken.
    func append(_ source: UnsafeRawBufferPointer) -> Int {
        let take = min(storage.count - count, source.count)
        guard take > 0 else { return 0 }
        UnsafeMutableRawBufferPointer(rebasing: storage[count..<(count + take)]).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<take]))
        count += take
        return take
    }

    /// Zeroes the bytes filled and empties the piece.
    func wipe() {
        Sodium.wipe(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
        count = 0
    }
}

/// The SHA-256 of a disclosure's plaintext, fed in pieces that it owns from then on: each piece
/// is hashed, wiped in place and kept for reuse. With more than one core the hashing runs on a
/// thread of its own, so the export's thread only encodes and writes (SHA-256 was most of its
/// time); at most ``maximumPieces`` pieces exist (their plaintext bounded to 8 x 64 KiB), and
/// ``emptyPiece()`` waits for one to come back. ``finish()`` joins the thread.
final class PieceDigest: Sendable {
    static let maximumPieces = 8

    private let pieceByteCount: Int
    /// Filled pieces waiting to be hashed (threaded mode).
    private let queued: BoundedChannel<PlaintextPiece>?
    /// Hashed, wiped pieces ready for reuse (threaded mode).
    private let recycled: BoundedChannel<PlaintextPiece>?
    private let created = Locked(0)
    private let state = Locked((hasher: SHA256(), result: [UInt8]?.none))
    private let thread: UncheckedSendable<JoinedThread>?

    init(pieceByteCount: Int, threaded: Bool = Cores.areSeveral) {
        self.pieceByteCount = pieceByteCount
        guard threaded else {
            queued = nil
            recycled = nil
            thread = nil
            return
        }
        let queued = BoundedChannel<PlaintextPiece>(capacity: PieceDigest.maximumPieces)
        let recycled = BoundedChannel<PlaintextPiece>(capacity: PieceDigest.maximumPieces)
        self.queued = queued
        self.recycled = recycled
        let state = self.state
        // Unchecked: only the thread that made this digest joins the thread (in finish()).
        thread = UncheckedSendable(JoinedThread {
            var hasher = SHA256()
            while let piece = queued.take() {
                hasher.update(piece.bytes)
                piece.wipe()
                _ = recycled.put(piece)
            }
            let result = hasher.finalize()
            state.withLock { $0.result = result }
        })
    }

    /// A digest never finished still lets its thread end (then joined with it).
    deinit { queued?.finish() }

    /// An empty piece (a recycled one once there are ``maximumPieces``).
    func emptyPiece() -> PlaintextPiece {
        if let recycled {
            let make = created.withLock { count -> Bool in
                guard count < PieceDigest.maximumPieces else { return false }
                count += 1
                return true
            }
            if !make, let piece = recycled.take() { return piece }
        }
        return PlaintextPiece(capacity: pieceByteCount)
    }

    /// Hashes `piece` (now or on the digest's thread), then wipes it; the caller lets go of it.
    func add(_ piece: PlaintextPiece) {
        guard let queued else {
            state.withLock { $0.hasher.update(piece.bytes) }
            piece.wipe()
            return
        }
        _ = queued.put(piece)
    }

    /// The digest of every piece added; waits for the digest's thread to hash them and end.
    /// Call it once.
    func finish() -> [UInt8] {
        guard let queued else { return state.withLock { $0.hasher.finalize() } }
        queued.finish()
        thread?.value.join()
        return state.withLock { $0.result } ?? []
    }
}
