import Foundation

/// docker's confirmation prompt (`prompt.Confirm` in docker/cli): the question and
/// ` [y/N] ` on standard output, the answer one line of standard input.
enum Confirmation {
    static let pruneDanglingWarning = "WARNING! This will remove all dangling images.\nAre you sure you want to continue?"
    static let pruneAllWarning = "WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?"

    /// Prints `message` and ` [y/N] `, then reads one line from standard input.
    /// - Returns: true only for `y` or `Y` (surrounding blanks ignored), as docker;
    ///   false for any other answer and at end of input, where nothing more is printed.
    static func ask(_ message: String) -> Bool {
        print(message + " [y/N] ", terminator: "")
        fflush(nil)
        guard let line = readLine(strippingNewline: true) else { return false }
        return isYes(line)
    }

    /// `y` or `Y`, leading and trailing blanks ignored (docker takes nothing else, not even `yes`).
    static func isYes(_ answer: String) -> Bool {
        answer.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() == "y"
    }
}
