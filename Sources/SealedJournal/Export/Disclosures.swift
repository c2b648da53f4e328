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

    /// An output that hands the bytes to `write`, age-encrypted to `recipients` when there are any.
    public init(recipients: [AgeRecipient] = [], armored: Bool = false, write: @escaping (Data) throws -> Void) {
        self.recipients = recipients
        self.armored = armored
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
    ///   recorded then.
    @discardableResult
    public func disclose<Content: Disclosable>(_ content: Content, to request: DisclosureRequest, output: DisclosureOutput,
                                               beforeRecording: () throws -> Void = {}) throws -> Disclosed<Content.Summary> {
        guard mode == .readWrite else { throw JournalError.readOnly }
        // Everything the final append would check (not retired, the file still the one at the
        // path, no damage after the last commit) is checked before a byte is produced, so the
        // usual reasons for output without its record are refused up front.
        try refresh()
        var digest = SHA256()
        let recipients = output.recipients, write = output.write
        let encryptor = recipients.isEmpty ? nil : try AgeEncryptor(recipients: recipients, armored: output.armored, output: write)
        // Plaintext output is handed to `write` in pieces of about 64 KiB (one system call each
        // instead of one per record); the piece is wiped after each hand-over.
        // `pending` is filled only up to the capacity reserved here, so it never reallocates (a
        // reallocation would leave the old storage unwiped); the copy handed to `write` is wiped
        // after it returns (unless the caller kept it).
        let piece = OwnerExport.outputPieceByteCount
        var pending: [UInt8] = []
        pending.reserveCapacity(piece)
        defer { pending.withUnsafeMutableBytes { Sodium.wipe($0) } }
        func flush() throws {
            guard !pending.isEmpty else { return }
            var handed = Data(pending)
            pending.withUnsafeMutableBytes { Sodium.wipe($0) }
            pending.removeAll(keepingCapacity: true)
            try write(handed)
            handed.withUnsafeMutableBytes { Sodium.wipe($0) }
        }
        let product = try content.produce(from: self, notice: request.notice) { text in
            var text = text
            try text.withUTF8 { bytes in
                digest.update(UnsafeRawBufferPointer(bytes))
                if let encryptor {
                    try encryptor.write(bytes)
                } else {
                    var offset = 0
                    while offset < bytes.count {
                        let take = min(piece - pending.count, bytes.count - offset)
                        pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[offset..<(offset + take)]))
                        offset += take
                        if pending.count == piece { try flush() }
                    }
                }
            }
        }
        try flush()
        try encryptor?.finish()
        try beforeRecording()
        let disclosure = Disclosure(
            recipient: request.recipient, purpose: request.purpose, scope: product.scope,
            format: content.disclosureFormat + (recipients.isEmpty ? "" : output.armored ? "+age-armor" : "+age"),
            digest: Hex.encode(digest.finalize()))
        try append(disclosure)
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
    }

    /// Plaintext bytes collected before one call of an export's `write`.
    static let outputPieceByteCount = 64 << 10

    static func scopeDescription(_ filter: RecordFilter, records: Int, notice: Bool) -> String {
        var parts = ["kinds: " + (filter.kinds.map { $0.sorted().map(\.rawValue).joined(separator: ",") } ?? "all")]
        // As the user asked: local days (the filter's `to` is the start of the day after the last one).
        parts.append("days: " + (filter.from.map { LocalDate(date: $0).description } ?? "the start") + " to "
                     + (filter.to.map { LocalDate(date: $0.addingTimeInterval(-0.001)).description } ?? "now"))
        if let tag = filter.tag { parts.append("tag: \(tag)") }
        parts.append("records: \(records)")
        if notice { parts.append("with notice") }
        return parts.joined(separator: "; ")
    }
}
