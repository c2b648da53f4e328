import Foundation

extension Journal {
    /// Appends a check-in, refusing one dated after the day it is recorded on (in the
    /// check-in's own UTC offset) unless `allowFutureDay` is set. A check-in for a past day is
    /// accepted (reports mark it "recorded N days later").
    ///
    /// Cost: as ``append(_:at:timeZone:)``.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` for a future day or an invalid field
    ///   (nothing is written); otherwise as ``append(_:at:timeZone:)``.
    @discardableResult
    public func appendCheckIn(_ checkIn: CheckIn, at recordedAt: Date = Date(),
                              allowFutureDay: Bool = false) throws(JournalError) -> AppendReceipt {
        try checkIn.validate()
        if !allowFutureDay {
            try CheckIn.refuseFutureDay(checkIn, recordedAt: recordedAt)
        }
        return try append(checkIn, at: recordedAt)
    }
}

extension CheckIn {
    /// Throws when `checkIn.day` is after the local day of `recordedAt` in the check-in's offset.
    /// - Throws: ``JournalError/invalidField(field:reason:)`` naming `day` and how far ahead it is.
    public static func refuseFutureDay(_ checkIn: CheckIn, recordedAt: Date = Date()) throws(JournalError) {
        let today = LocalDate(date: recordedAt, offsetSeconds: checkIn.timeZoneOffsetSeconds)
        let ahead = today.days(to: checkIn.day)
        guard ahead <= 0 else {
            throw .invalidField(field: "day", reason: "is \(ahead) day\(ahead == 1 ? "" : "s") after today in the check-in's time zone; "
                                + "a check-in for a future day is refused unless forced")
        }
    }
}
