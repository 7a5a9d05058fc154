import Foundation

/// Words of a command line as systemd and Dockerfiles split them (the examples need no more):
/// whitespace separates words; "double" and 'single' quotes group them; outside single quotes a
/// backslash escapes the next character.
enum ExampleWords {
    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                word.append(character)
                escaped = false
            } else if let open = quote {
                // Inside 'single' quotes a backslash is literal; inside "double" quotes it escapes.
                if character == open {
                    quote = nil
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else {
                    word.append(character)
                }
            } else if character == "\\" {
                escaped = true
                inWord = true
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else {
                word.append(character)
                inWord = true
            }
        }
        guard quote == nil, !escaped else { throw ExampleError("unterminated quote or escape in '\(line)'") }
        if inWord { words.append(word) }
        return words
    }
}

/// Durations as systemd (`20`, `20s`, `1min 30s`, `500ms`) and Compose (`15s`, `1m30s`) write them.
enum ExampleDuration {
    static let units: [String: Double] = [
        "": 1, "s": 1, "sec": 1, "second": 1, "seconds": 1, "ms": 0.001, "msec": 0.001, "us": 0.000_001,
        "m": 60, "min": 60, "minute": 60, "minutes": 60, "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
    ]

    /// The duration in seconds; text that is no duration throws, naming it.
    static func seconds(_ text: String) throws -> Double {
        var total = 0.0
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { throw ExampleError("empty duration") }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count).drop { $0 == " " }
            guard let value = Double(number), let scale = units[String(unit)] else {
                throw ExampleError("'\(text)' is not a duration")
            }
            total += value * scale
        }
        return total
    }
}
