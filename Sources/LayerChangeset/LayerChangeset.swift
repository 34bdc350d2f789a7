// The layer engine lives here; see Package.swift.
