// The byte streams (sources, sinks, digests, their errors) are part of this module's
// interface: a reader takes a `ChunkSource`, a writer a `ByteSink`.
@_exported import ByteStreams
