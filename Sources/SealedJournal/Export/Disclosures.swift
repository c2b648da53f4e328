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

extension OwnerExport {
    /// Exports `journal` in `format` to `write`, optionally encrypted to age recipients, and then
    /// appends a ``Disclosure`` record. The journal must be open for writing.
    ///
    /// - Parameters:
    ///   - journal: the journal to export, open for writing (the disclosure is appended to it).
    ///   - format: the export format.
    ///   - filter: which records to export (all by default).
    ///   - request: who receives the export, why, and an optional notice shown first.
    ///   - recipients: age recipients; empty for a plaintext export.
    ///   - armored: ASCII-armor the age output.
    ///   - timeZone: the reader's time zone for readable times (Markdown).
    ///   - progress: called with the number of records written so far.
    ///   - damaged: when given, the export salvages past unreadable records and reports each here.
    ///   - write: receives the output bytes (plaintext export, or age ciphertext).
    ///   - beforeRecording: called after the last byte was handed to `write`, before the disclosure
    ///     is recorded (e.g. to fsync and close a file); if it throws, nothing is recorded.
    /// - Returns: the disclosure that was recorded and the number of records exported.
    @discardableResult
    public static func disclose(_ journal: Journal, format: ExportFormat, filter: RecordFilter = .all,
                                request: DisclosureRequest, recipients: [AgeRecipient] = [], armored: Bool = false,
                                timeZone: TimeZone = .current, progress: ((Int) -> Void)? = nil,
                                damaged: ((DamagedRecord) -> Void)? = nil, write: @escaping (Data) throws -> Void,
                                beforeRecording: () throws -> Void = {}) throws -> (disclosure: Disclosure, records: Int) {
        try disclose(journal, request: request, recipients: recipients, armored: armored, formatName: format.rawValue,
                     scope: { scopeDescription(filter, records: $0, notice: request.notice != nil) },
                     write: write, beforeRecording: beforeRecording) { sink in
            try OwnerExport.write(journal, format: format, filter: filter, timeZone: timeZone, notice: request.notice,
                                  progress: progress, damaged: damaged, to: sink)
        }
    }

    /// The general form: `produce` writes the plaintext through the sink it is given and returns a
    /// count for the scope; the output is encrypted when there are recipients, digested, and recorded.
    static func disclose(_ journal: Journal, request: DisclosureRequest, recipients: [AgeRecipient], armored: Bool,
                         formatName: String, scope: (Int) -> String, write: @escaping (Data) throws -> Void,
                         beforeRecording: () throws -> Void,
                         produce: (_ sink: (String) throws -> Void) throws -> Int) throws -> (disclosure: Disclosure, records: Int) {
        guard journal.mode == .readWrite else { throw JournalError.readOnly }
        var digest = SHA256()
        let encryptor = recipients.isEmpty ? nil : try AgeEncryptor(recipients: recipients, armored: armored, output: write)
        // Plaintext output is handed to `write` in pieces of about 64 KiB (one system call each
        // instead of one per record); the piece is wiped after each hand-over.
        var pending: [UInt8] = []
        pending.reserveCapacity(Self.outputPieceByteCount + 4096)
        defer { pending.withUnsafeMutableBytes { Sodium.wipe($0) } }
        func flush() throws {
            guard !pending.isEmpty else { return }
            try write(Data(pending))
            pending.withUnsafeMutableBytes { Sodium.wipe($0) }
            pending.removeAll(keepingCapacity: true)
        }
        let count = try produce { text in
            var text = text
            try text.withUTF8 { bytes in
                digest.update(UnsafeRawBufferPointer(bytes))
                if let encryptor {
                    try encryptor.write(bytes)
                } else {
                    pending.append(contentsOf: bytes)
                    if pending.count >= Self.outputPieceByteCount { try flush() }
                }
            }
        }
        try flush()
        try encryptor?.finish()
        try beforeRecording()
        let disclosure = Disclosure(
            recipient: request.recipient, purpose: request.purpose, scope: scope(count),
            format: formatName + (recipients.isEmpty ? "" : armored ? "+age-armor" : "+age"),
            digest: Hex.encode(digest.finalize()))
        try journal.append(disclosure)
        return (disclosure, count)
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
