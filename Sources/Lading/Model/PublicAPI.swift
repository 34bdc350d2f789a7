// What a build system needs, nameable with `import Lading` alone.
//
// The OCI and Docker value types (Digest, Reference, Platform, Descriptor, Manifest,
// ImageConfig, MediaType, SpecError) belong to ImageSpec, which has no I/O: it is
// re-exported whole. Types of the store, the transports, tar and layers that the
// service's entry points take or return are named here.
@_exported import ImageSpec
import ImageLayout
import ImageTransport
import ConfigChanges
import LayerChangeset
import TarArchive

/// Options for `ImageService.load(path:options:)` (`--base-name`, `--platform`,
/// `--max-layer-size`).
public typealias LoadOptions = ImageLoader.Options
/// How many blobs a load wrote, how many the store already had, and the bytes written.
public typealias LoadedBlobs = LoadPlan.Installed
/// One image of the store: its top descriptor (manifest or index) and its names.
public typealias ImageRecord = ImageLayout.ImageRecord
/// A name that moved from one image to another (docker's "renaming the old one").
public typealias RenamedImage = ImageLayout.RenamedImage
/// An OCI image layout directory: the store (`ImageService.layout`) or another layout.
public typealias OCILayout = ImageLayout.OCILayout
/// Progress and cooperative cancellation for load, save, copy and verify.
public typealias TransferMonitor = ImageLayout.TransferMonitor
/// Where `ImageService.save(_:all:to:)` writes the archive.
public typealias ByteSink = TarArchive.ByteSink
/// A `ByteSink` over a file descriptor (standard output, a file being written).
public typealias FileSink = TarArchive.FileSink
/// The layer blobs a delta archive leaves out (`save --exclude-from`), as its
/// `excluded-blobs.json` lists them.
public typealias ExcludedBlobs = ImageTransport.ExcludedBlobs
/// Size caps of the streaming readers (`--max-layer-size`; the default for pipes).
public typealias SizeLimit = ImageTransport.SizeLimit
/// `diff`'s output: docker's `A`/`C`/`D` lines, or JSON.
public typealias ChangePrinter = LayerChangeset.ChangePrinter
/// How `unpack` applies layers (`rootless`).
public typealias ApplyOptions = LayerChangeset.ApplyOptions
/// What `diff` compares (timestamps, excluded globs).
public typealias ChangeOptions = LayerChangeset.ChangeOptions
/// One `A`/`C`/`D` line of `diff`.
public typealias Change = LayerChangeset.Change
/// A file tree read from an image's layers or a directory.
public typealias FileTree = LayerChangeset.FileTree

// The errors lower layers throw through the service; each names the file, entry or
// digest at fault, and `LadingError(error)` gives any of them as one type.
/// The store or a layout: a missing blob, a digest or size mismatch, an I/O error.
public typealias LayoutError = ImageLayout.LayoutError
/// A tarball that cannot be read or written.
public typealias ArchiveError = TarArchive.ArchiveError
/// A docker-save or OCI archive whose content is inconsistent.
public typealias TransportError = ImageTransport.TransportError
/// A layer that cannot be applied or written.
public typealias LayerError = LayerChangeset.LayerError
/// A `--change` instruction that cannot be parsed or applied.
public typealias ChangeError = ConfigChanges.ChangeError
