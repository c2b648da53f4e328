import Foundation

/// One record read back from a journal.
public struct JournalRecord: Sendable {
    /// Position in the journal, from 0.
    public let sequence: UInt64
    /// The record's kind (built-in or an app's own).
    public let kind: RecordKind
    /// When the record was written (UTC, millisecond precision).
    public let recordedAt: Date
    /// The writer's UTC offset at `recordedAt`, in seconds (local time = `recordedAt` + offset).
    public let timeZoneOffsetSeconds: Int
    /// `recordedAt` exactly as stored: milliseconds since 1970-01-01T00:00:00Z.
    let recordedAtMilliseconds: Int64
    /// The record's fields as canonical JSON (sorted keys, UTF-8). Plaintext: handle with care.
    public let payload: [UInt8]

    /// Decodes the payload as `type`.
    /// - Throws: ``JournalError/decodingFailed(sequence:kind:type:)`` when the kind or fields do not match,
    ///   or a field is out of the type's range (``JournalRecordContent/validate()``).
    public func decode<T: JournalRecordContent>(_ type: T.Type) throws(JournalError) -> T {
        guard kind == T.recordKind else { throw .decodingFailed(sequence: sequence, kind: kind, type: String(describing: T.self)) }
        let value: T
        do {
            value = try RecordCoding.decoder.decode(T.self, from: Data(payload))
        } catch {
            throw .decodingFailed(sequence: sequence, kind: kind, type: String(describing: T.self))
        }
        // Only a faulty writer holding the key can seal out-of-range values; never hand them on.
        do { try value.validate() } catch { throw .decodingFailed(sequence: sequence, kind: kind, type: String(describing: T.self)) }
        return value
    }

    /// The record as one of the built-in kinds, or `.custom` for an app's own kind.
    public var content: RecordContent {
        switch kind {
        case RecordKind.entry: if let value = EntryPayloadReader.entry(payload) ?? (try? decode(JournalEntry.self)) { return .entry(value) }
        case RecordKind.checkIn: if let value = try? decode(CheckIn.self) { return .checkIn(value) }
        case RecordKind.amendment: if let value = try? decode(Amendment.self) { return .amendment(value) }
        case RecordKind.disclosure: if let value = try? decode(Disclosure.self) { return .disclosure(value) }
        default: break
        }
        return .custom(kind: kind, json: payload)
    }
}

extension JournalRecord {
    /// When the record was written, in the writer's local time with its UTC offset, for people:
    /// `2026-11-26 22:39 -05:00` (proleptic Gregorian).
    public var localTimeDescription: String {
        CivilTime.localText(milliseconds: recordedAtMilliseconds, offsetSeconds: Int32(clamping: timeZoneOffsetSeconds))
    }

    /// `date` in `timeZone` as `YYYY-MM-DD HH:MM ±HH:MM` (dates outside years 0001-9999 are clamped).
    public static func describeLocalTime(_ date: Date, timeZone: TimeZone = .current) -> String {
        let seconds = date.timeIntervalSince1970
        let milliseconds = seconds.isFinite ? Int64(max(-6.2e13, min(2.5e14, (seconds * 1000).rounded()))) : 0
        let clamped = min(max(milliseconds, CivilTime.earliestMilliseconds + 86_400_000), CivilTime.latestMilliseconds - 86_400_000)
        return CivilTime.localText(milliseconds: clamped, offsetSeconds: Int32(clamping: timeZone.secondsFromGMT(for: date)))
    }
}

/// A decoded record.
public enum RecordContent: Sendable {
    /// A free-text entry.
    case entry(JournalEntry)
    /// A daily check-in.
    case checkIn(CheckIn)
    /// A correction pointing at an earlier record.
    case amendment(Amendment)
    /// An export or disclosure event the library recorded.
    case disclosure(Disclosure)
    /// Any other record, with its JSON: an app-defined kind; the library's bookkeeping kinds
    /// ``RecordKind/keyChange``, ``RecordKind/repair`` and ``RecordKind/witness`` (decode them
    /// with ``JournalRecord/decode(_:)`` as ``KeyChange``, ``RepairNote`` or ``WitnessReceipt``);
    /// or a record of one of the four kinds above whose payload did not decode (check
    /// ``RecordKind/isBuiltIn`` to tell it from an app's kind).
    case custom(kind: RecordKind, json: [UInt8])
}

/// A record waiting to be appended in a batch.
public struct PendingRecord: Sendable {
    let kind: String
    let recordedAt: Date
    let timeZoneOffsetSeconds: Int32
    /// The local day for the record's envelope when the content names one (a check-in's `day`).
    let envelopeDay: LocalDate?
    let encode: @Sendable () throws(JournalError) -> [UInt8]
    let amends: UInt64?
    /// The record's number in the export it is imported from (an NDJSON line's `sequence`), by
    /// which an amendment in the same import names the record it corrects (see ``JournalImport``).
    var sourceSequence: UInt64?

    /// Wraps `content` to be written with time `recordedAt` by a writer in `timeZone`.
    public init<C: JournalRecordContent>(_ content: C, recordedAt: Date = Date(), timeZone: TimeZone = .current) {
        kind = C.recordKind.rawValue
        self.recordedAt = recordedAt
        timeZoneOffsetSeconds = Int32(clamping: timeZone.secondsFromGMT(for: recordedAt))
        envelopeDay = (content as? CheckIn)?.day
        amends = (content as? Amendment)?.amends
        encode = { () throws(JournalError) -> [UInt8] in try RecordCoding.encode(content) }
    }

    /// An app-defined kind whose JSON payload is already encoded (imports, rekey).
    init(rawKind: String, payload: [UInt8], recordedAt: Date, timeZoneOffsetSeconds: Int32 = 0, envelopeDay: LocalDate? = nil, amends: UInt64? = nil) {
        kind = rawKind
        self.recordedAt = recordedAt
        self.timeZoneOffsetSeconds = timeZoneOffsetSeconds
        self.envelopeDay = envelopeDay
        self.amends = amends
        encode = { () throws(JournalError) -> [UInt8] in
            guard payload.count <= RecordPlaintext.maximumPayloadByteCount else {
                throw .recordTooLarge(bytes: payload.count, limit: RecordPlaintext.maximumPayloadByteCount)
            }
            return payload
        }
    }
}

/// The canonical JSON used for record payloads.
enum RecordCoding {
    /// Configured once and never mutated afterwards (JSONEncoder is safe to share then).
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .throw
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            guard let milliseconds = milliseconds(date) else {
                throw EncodingError.invalidValue(date, .init(codingPath: encoder.codingPath,
                                                             debugDescription: "a date must fall within years 0001-9999"))
            }
            try container.encode(CivilTime.iso8601(milliseconds: milliseconds))
        }
        return encoder
    }()

    /// Reads dates as ``JournalRecordContent`` documents them: ISO 8601 text in UTC with
    /// milliseconds (`2026-11-27T15:30:00.125Z`; an offset or no fraction is also read). Numbers
    /// are read as seconds since 2001-01-01 (Foundation's default, which this library wrote
    /// before dates were defined) so such records stay readable.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                guard let milliseconds = CivilTime.parseISO8601(text) else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 date")
                }
                return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            }
            let seconds = try container.decode(Double.self)
            let date = Date(timeIntervalSinceReferenceDate: seconds)
            guard seconds.isFinite, milliseconds(date) != nil else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a date within years 0001-9999")
            }
            return date
        }
        return decoder
    }()

    /// `date` in whole milliseconds since 1970, or `nil` outside years 0001-9999 (or not finite).
    static func milliseconds(_ date: Date) -> Int64? {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        guard value.isFinite, value >= Double(CivilTime.earliestMilliseconds), value <= Double(CivilTime.latestMilliseconds) else { return nil }
        return Int64(value)
    }

    /// A record's payload re-encoded canonically (a JSON object with sorted keys), as exports write it.
    /// - Throws: ``JournalError/corruptFrame(offset:sequence:reason:)`` when it is not a JSON object
    ///   (only a faulty writer holding the key can produce one).
    static func canonicalPayload(_ record: JournalRecord) throws(JournalError) -> [UInt8] {
        // Payloads this library wrote are canonical already: pass them through (see CanonicalJSONCheck).
        if CanonicalJSONCheck.isCanonical(record.payload) { return record.payload }
        guard let object = try? JSONSerialization.jsonObject(with: Data(record.payload)) as? [String: Any],
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            throw .corruptFrame(offset: 0, sequence: record.sequence, reason: "its payload is not a JSON object")
        }
        return [UInt8](data)
    }

    static let builtInTypes: Set<ObjectIdentifier> = [ObjectIdentifier(JournalEntry.self), ObjectIdentifier(CheckIn.self),
                                                      ObjectIdentifier(Amendment.self), ObjectIdentifier(Disclosure.self),
                                                      ObjectIdentifier(KeyChange.self), ObjectIdentifier(RepairNote.self),
                                                      ObjectIdentifier(WitnessReceipt.self)]

    static func encode<C: JournalRecordContent>(_ content: C) throws(JournalError) -> [UInt8] {
        try content.validate()
        do {
            try RecordPlaintext.validateKind(C.recordKind.rawValue)
        } catch {
            throw .invalidField(field: "kind", reason: "a kind name must be 1 to \(RecordPlaintext.maximumKindByteCount) bytes")
        }
        if RecordKind.builtIn.contains(C.recordKind) {
            guard builtInTypes.contains(ObjectIdentifier(C.self)) else {
                throw .invalidField(field: "kind", reason: "\"\(C.recordKind)\" is reserved for the built-in record type")
            }
        }
        let bytes: [UInt8]
        do {
            // Entries, the common case, are written by hand (the same bytes; see CanonicalJSONWriter).
            if let entry = content as? JournalEntry, let fast = CanonicalJSONWriter.entry(entry) {
                bytes = fast
            } else {
                bytes = [UInt8](try encoder.encode(content))
            }
        } catch {
            throw .invalidField(field: "record", reason: "cannot be encoded (a number that is not finite, or a date outside years 0001-9999)")
        }
        guard bytes.count <= RecordPlaintext.maximumPayloadByteCount else {
            throw .recordTooLarge(bytes: bytes.count, limit: RecordPlaintext.maximumPayloadByteCount)
        }
        return bytes
    }
}
