/// Corrections: append-only has no edit, so a mistake is put right by an ``Amendment`` that points
/// at the record it corrects. Reading shows both; reports use a corrected check-in's values and
/// list the correction.
extension Journal {
    /// Appends a correction of record `sequence`, in words.
    ///
    /// - Throws: ``JournalError/noSuchRecord(sequence:recordCount:)``, ``JournalError/invalidField(field:reason:)``.
    /// Cost: one append.
    @discardableResult
    public func amend(_ sequence: UInt64, text: String, reason: String? = nil) throws(JournalError) -> AppendReceipt {
        guard sequence < recordCount else { throw .noSuchRecord(sequence: sequence, recordCount: recordCount) }
        return try append(Amendment(amends: sequence, text: text, reason: reason))
    }

    /// Appends a correction of the check-in at `sequence` with corrected values for the same day.
    ///
    /// - Throws: ``JournalError/invalidField(field:reason:)`` when the record is not a check-in, the
    ///   corrected check-in is for another day, or a value is out of range (nothing is written).
    /// Cost: one record read and one append.
    @discardableResult
    public func amendCheckIn(_ sequence: UInt64, with corrected: CheckIn, reason: String? = nil) throws(JournalError) -> AppendReceipt {
        let original = try record(at: sequence)
        guard original.kind == RecordKind.checkIn else {
            throw .invalidField(field: "amends", reason: "record #\(sequence) is not a check-in")
        }
        let checkIn = try original.decode(CheckIn.self)
        guard corrected.day == checkIn.day else {
            throw .invalidField(field: "day", reason: "a correction keeps the check-in's day (\(checkIn.day)); check in for the other day instead")
        }
        return try append(Amendment(amends: sequence, text: "corrected check-in for \(checkIn.day)", reason: reason, checkIn: corrected))
    }

    /// The newest check-in whose day is `day`, if any (for "amend today's check-in").
    /// Cost: one pass over the journal's check-ins.
    public func latestCheckIn(for day: LocalDate) throws(JournalError) -> JournalRecord? {
        var found: JournalRecord?
        var cursor = try self.cursor(RecordFilter(kinds: [RecordKind.checkIn]))
        while let record = try cursor.next() {
            if (try? record.decode(CheckIn.self))?.day == day { found = record }
        }
        return found
    }
}
