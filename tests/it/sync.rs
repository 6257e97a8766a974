//! Sync bundles: export, import, bad bundles, fuzz, a killed import.
