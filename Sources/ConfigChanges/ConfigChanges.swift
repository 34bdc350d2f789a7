// Dockerfile change instructions; see Package.swift.
