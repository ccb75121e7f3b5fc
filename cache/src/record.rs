//! The JSON record of one entry, and what a client hands in to make one.
//!
//! A record names one artifact by its content hash and carries the client's labels
//! (shown by listings) and payload (opaque here). It is valid only if its `format` is
//! [`crate::FORMAT`] and its `key` equals the hex of its file name.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Key;

/// The metadata record of one entry, stored as `R/v1/entries/<hh>/<key>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Cache format of the record; must equal [`crate::FORMAT`].
    pub format: u32,
    /// Lowercase hex of the entry's key (64 digits); must equal the file's stem.
    pub key: String,
    /// Lowercase blake3 hex of the artifact's bytes (64 digits), i.e. its file stem.
    pub artifact: String,
    /// Size of the artifact in bytes.
    pub artifact_size: u64,
    /// When the record was written, in seconds since the Unix epoch.
    pub created: u64,
    /// The client's description of the entry (e.g. source, function, line), shown by
    /// listings; not interpreted by the crate.
    pub labels: BTreeMap<String, String>,
    /// The client's data needed to use the artifact (e.g. a symbol name); opaque to the
    /// crate.
    pub payload: serde_json::Value,
}

/// One entry to store with an artifact in [`crate::Cache::insert`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    /// The entry's key, computed by the client.
    pub key: Key,
    /// Becomes [`Record::labels`].
    pub labels: BTreeMap<String, String>,
    /// Becomes [`Record::payload`].
    pub payload: serde_json::Value,
}
