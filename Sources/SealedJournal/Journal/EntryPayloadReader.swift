/// Entries read by hand (imports, and reads of the payloads this library wrote); see ``StrictJSONReader``.
extension StrictJSONReader {
    /// An entry's `data`: `text` (required), `title`, `tags`, each once, nothing else.
    mutating func entryObject() -> JournalEntry? {
        var text: String?, title: String?, tags: [String]?
        let complete = object { key, reader in
            switch key {
            case "text":
                guard text == nil, let value = reader.string() else { return false }
                text = value
            case "title":
                guard title == nil, let value = reader.string() else { return false }
                title = value
            case "tags":
                guard tags == nil, let value = reader.stringArray() else { return false }
                tags = value
            default:
                return false
            }
            return true
        }
        guard complete, let text else { return nil }
        return JournalEntry(text: text, title: title, tags: tags ?? [])
    }
}

/// An entry's payload read by hand on the read path (`JournalRecord.content`): answers only for
/// a payload made of `text`, `title` and `tags` in the strict subset ``StrictJSONReader`` reads,
/// and that validates, which is exactly when `JSONDecoder` gives the same entry; `nil` otherwise
/// (and the caller decodes with `JSONDecoder` as before).
enum EntryPayloadReader {
    static func entry(_ payload: [UInt8]) -> JournalEntry? {
        payload.withUnsafeBytes { raw in
            var reader = StrictJSONReader(raw)
            guard let entry = reader.entryObject(), reader.atEnd, (try? entry.validate()) != nil else { return nil }
            return entry
        }
    }
}
