/// What `load`, `copy` and `unpack` do with a document `SpecValidator` finds fault with:
/// refuse it (an error naming the document and the rule), or read it with a warning
/// where docker and containerd accept it. `verify` reports every finding; this table
/// (also in the README, "Spec rules when reading") decides only for the readers.
public enum ReaderPolicy {
    /// Rules whose findings readers accept with a warning: docker and containerd read
    /// such documents (`urls` they never fetch, an `artifactType` or platform they only
    /// display, a config without `os`/`architecture`, an `Env` entry without `=` that
    /// the runtime passes on, an empty or null `layers` (an empty image), history
    /// against diff IDs).
    public static let warned: Set<String> = [
        Rules.urls.id, Rules.annotationsNull.id, Rules.artifactType.id, Rules.platform.id, Rules.digestVerify.id,
        Rules.manifestLayersOne.id,
        Rules.manifestArtifactType.id, Rules.configRequired.id, Rules.configEnv.id, Rules.configHistory.id,
    ]

    /// Whether a reader refuses a document with this finding. Every MUST not in
    /// `warned` is refused (as containers/image refuses an invalid media type and Go's
    /// JSON decoding in docker and containerd refuses a field of the wrong type);
    /// a SHOULD never is.
    public static func refuses(_ f: SpecFinding) -> Bool {
        f.rule.level == .must && !warned.contains(f.rule.id)
    }
}
