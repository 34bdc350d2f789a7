/// Variable expansion and quote removal for instruction arguments: buildkit's
/// `shell.Lex` (`frontend/dockerfile/shell/lex.go`).
///
/// Supported: `$V`, `${V}`, `${V:-w}`, `${V-w}`, `${V:+w}`, `${V+w}`, `${V?w}`,
/// `${V:?w}`, `${V#p}`, `${V##p}`, `${V%p}`, `${V%%p}`, `${V/p/r}`, `${V//p/r}`.
/// An unset variable expands to "". Outside quotes the escape token escapes any
/// character; `'…'` is literal; inside `"…"` the escape token escapes only `"`, `$`
/// and itself.
struct ShellLex {
    var escape: Unicode.Scalar = "\\"
    var rawQuotes = false
    var rawEscapes = false
    var skipUnsetEnv = false

    /// `ProcessWord`: the expanded text, spaces kept.
    func processWord(_ word: String, env: [String: String]) throws -> String {
        try process(word, env: env).0
    }

    /// `ProcessWords`: the expanded text split into words on unquoted whitespace.
    func processWords(_ word: String, env: [String: String]) throws -> [String] {
        try process(word, env: env).1
    }

    private func process(_ word: String, env: [String: String]) throws -> (String, [String]) {
        var sw = ShellWord(lex: self, src: Array(word.unicodeScalars), env: env, rawEscapes: rawEscapes)
        do {
            return try sw.processStopOn(nil, rawEscapes: rawEscapes)
        } catch let e as GoError {
            throw GoError("failed to process \(GoText.quote(word)): \(e.message)")
        }
    }
}

/// `string(ch)` for Go's `scanner.EOF` is the replacement character.
private func goChar(_ c: Unicode.Scalar?) -> String { c.map { String($0) } ?? "\u{FFFD}" }

private struct Words {
    var word = String.UnicodeScalarView()
    var words: [String] = []
    var inWord = false

    mutating func addChar(_ c: Unicode.Scalar) {
        if GoText.isSpace(c) && inWord {
            if !word.isEmpty {
                words.append(String(word))
                word = String.UnicodeScalarView()
                inWord = false
            }
        } else if !GoText.isSpace(c) {
            addRawChar(c)
        }
    }
    mutating func addRawChar(_ c: Unicode.Scalar) { word.append(c); inWord = true }
    mutating func addString(_ s: String) { for c in s.unicodeScalars { addChar(c) } }
    mutating func addRawString(_ s: String) { word.append(contentsOf: s.unicodeScalars); inWord = true }
    mutating func get() -> [String] {
        if !word.isEmpty {
            words.append(String(word))
            word = String.UnicodeScalarView()
            inWord = false
        }
        return words
    }
}

private struct ShellWord {
    let lex: ShellLex
    let src: [Unicode.Scalar]
    var pos = 0
    let env: [String: String]
    var rawEscapes: Bool

    init(lex: ShellLex, src: [Unicode.Scalar], env: [String: String], rawEscapes: Bool) {
        self.lex = lex
        self.src = src
        self.env = env
        self.rawEscapes = rawEscapes
    }

    func peek() -> Unicode.Scalar? { pos < src.count ? src[pos] : nil }
    mutating func next() -> Unicode.Scalar? {
        guard pos < src.count else { return nil }
        pos += 1
        return src[pos - 1]
    }

    mutating func processStopOn(_ stop: Unicode.Scalar?, rawEscapes raw: Bool) throws -> (String, [String]) {
        var result = String.UnicodeScalarView()
        var words = Words()
        let saved = rawEscapes
        rawEscapes = raw
        defer { rawEscapes = saved }
        while let ch = peek() {
            if let stop, ch == stop {
                _ = next()
                return (String(result), words.get())
            }
            if ch == "$" {
                let tmp = try processDollar()
                result.append(contentsOf: tmp.unicodeScalars)
                words.addString(tmp)
            } else if ch == "'" {
                let tmp = try processSingleQuote()
                result.append(contentsOf: tmp.unicodeScalars)
                words.addRawString(tmp)
            } else if ch == "\"" {
                let tmp = try processDoubleQuote()
                result.append(contentsOf: tmp.unicodeScalars)
                words.addRawString(tmp)
            } else {
                var c = next()!
                if c == lex.escape {
                    if rawEscapes {
                        words.addRawChar(c)
                        result.append(c)
                    }
                    guard let n = next() else { break }
                    c = n
                    words.addRawChar(c)
                } else {
                    words.addChar(c)
                }
                result.append(c)
            }
        }
        if let stop { throw GoError("unexpected end of statement while looking for matching \(stop)") }
        return (String(result), words.get())
    }

    mutating func processSingleQuote() throws -> String {
        var result = String.UnicodeScalarView()
        let open = next()!
        if lex.rawQuotes { result.append(open) }
        while true {
            guard let ch = next() else { throw GoError("unexpected end of statement while looking for matching single-quote") }
            if ch == "'" {
                if lex.rawQuotes { result.append(ch) }
                return String(result)
            }
            result.append(ch)
        }
    }

    mutating func processDoubleQuote() throws -> String {
        var result = String.UnicodeScalarView()
        let open = next()!
        if lex.rawQuotes { result.append(open) }
        while true {
            guard let p = peek() else { throw GoError("unexpected end of statement while looking for matching double-quote") }
            if p == "\"" {
                _ = next()
                if lex.rawQuotes { result.append(p) }
                return String(result)
            }
            if p == "$" {
                result.append(contentsOf: try processDollar().unicodeScalars)
                continue
            }
            var ch = next()!
            if ch == lex.escape {
                if rawEscapes { result.append(ch) }
                guard let after = peek() else { continue }
                if after == "\"" || after == "$" || after == lex.escape { ch = next()! }
            }
            result.append(ch)
        }
    }

    mutating func processDollar() throws -> String {
        _ = next()
        if peek() != "{" {
            let name = processName()
            if name.isEmpty { return "$" }
            let value = env[name]
            if value == nil && lex.skipUnsetEnv { return "$" + name }
            return value ?? ""
        }
        _ = next()
        switch peek() {
        case nil: throw GoError("syntax error: missing '}'")
        case "{", "}", ":": throw GoError("syntax error: bad substitution")
        default: break
        }
        let name = processName()
        var ch = next()
        var chs = goChar(ch)
        var nullIsUnset = false
        switch ch {
        case "}":
            let value = env[name]
            if value == nil && lex.skipUnsetEnv { return "${\(name)}" }
            return value ?? ""
        case ":", "+", "-", "?", "#", "%":
            if ch == ":" {
                nullIsUnset = true
                ch = next()
                chs += goChar(ch)
            }
            let raw = ch == "#" || ch == "%"
            var word: String
            do {
                word = try processStopOn("}", rawEscapes: raw).0
            } catch {
                if peek() == nil { throw GoError("syntax error: missing '}'") }
                throw error
            }
            let value = env[name]
            if lex.skipUnsetEnv && value == nil { return "${\(name)\(chs)\(word)}" }
            let v = value ?? ""
            let unsetOrNull = value == nil || (nullIsUnset && v.isEmpty)
            switch ch {
            case "-": return unsetOrNull ? word : v
            case "+": return unsetOrNull ? "" : word
            case "?":
                if value == nil { throw GoError("\(name): \(word.isEmpty ? "is not allowed to be unset" : word)") }
                if nullIsUnset && v.isEmpty { throw GoError("\(name): \(word.isEmpty ? "is not allowed to be empty" : word)") }
                return v
            case "%", "#":
                var greedy = false
                if let f = word.unicodeScalars.first, f == ch {
                    greedy = true
                    word = String(word.unicodeScalars.dropFirst())
                }
                do {
                    return ch == "%" ? try ShellPattern.trimSuffix(word, v, greedy: greedy)
                        : try ShellPattern.trimPrefix(word, v, greedy: greedy)
                } catch let e as GoError {
                    throw GoError("invalid pattern (\(word)) in substitution: \(e.message)")
                }
            default:
                throw GoError("unsupported modifier (\(chs)) in substitution")
            }
        case "/":
            let all = peek() == "/"
            if all { _ = next() }
            let pattern: String
            do { pattern = try processStopOn("/", rawEscapes: true).0 } catch {
                if peek() == nil { throw GoError("syntax error: missing '/' in ${}") }
                throw error
            }
            let replacement: String
            do { replacement = try processStopOn("}", rawEscapes: true).0 } catch {
                if peek() == nil { throw GoError("syntax error: missing '}'") }
                throw error
            }
            let value = env[name]
            if lex.skipUnsetEnv && value == nil { return "${\(name)/\(pattern)/\(replacement)}" }
            do {
                return try ShellPattern.replace(pattern, in: value ?? "", with: replacement, all: all)
            } catch let e as GoError {
                throw GoError("invalid pattern (\(pattern)) in substitution: \(e.message)")
            }
        default:
            throw GoError("unsupported modifier (\(chs)) in substitution")
        }
    }

    /// A name: letters, digits and `_`; or a run of digits; or one special parameter.
    mutating func processName() -> String {
        var name = String.UnicodeScalarView()
        while let ch = peek() {
            if name.isEmpty && GoText.isDigit(ch) {
                while let d = peek(), GoText.isDigit(d) { name.append(next()!) }
                return String(name)
            }
            if name.isEmpty && "@*#?-$!0".unicodeScalars.contains(ch) {
                return String(next()!)
            }
            if !GoText.isLetter(ch) && !GoText.isDigit(ch) && ch != "_" { break }
            name.append(next()!)
        }
        return String(name)
    }
}
