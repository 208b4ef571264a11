//! Output sinks: where column batches go. A sink is begun with the column plan and the run
//! metadata, receives batches in event order, and is finished (atomically, for files) or aborted.
//!
//! - [`parquet::ParquetSink`]: the user-facing Parquet writer (DESIGN.md "Parquet").
//! - [`memory::MemorySink`]: keeps batches in memory (tests, in-process analysis).

pub mod memory;
pub mod parquet;

use crate::event::{ColumnPlan, EventBatch};

/// Errors of output sinks.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// An I/O failure, with the path.
    #[error("{path}: {source}")]
    Io {
        /// The path concerned.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The target exists and overwriting was not allowed.
    #[error("{path} exists; pass --force to overwrite it")]
    Exists {
        /// The path.
        path: String,
    },
    /// The Parquet/Arrow encoder failed.
    #[error("parquet writer: {0}")]
    Encode(String),
}

/// A destination for event batches.
pub trait Sink {
    /// Start the output: `meta_json` is the run record known before generation (written where the
    /// format allows it at the start, e.g. the Arrow schema metadata).
    ///
    /// # Errors
    /// [`OutputError`] if the output cannot be created.
    fn begin(&mut self, plan: &ColumnPlan, meta_json: &str) -> Result<(), OutputError>;
    /// Write one batch (taken by value so its buffers move into the encoder without a copy).
    ///
    /// # Errors
    /// [`OutputError`] on an encoding or I/O failure.
    fn write_batch(&mut self, batch: EventBatch) -> Result<(), OutputError>;
    /// Finish: `final_json` is the complete run record including the summary (written to the file
    /// footer); the file appears at its target name only now.
    ///
    /// # Errors
    /// [`OutputError`] on an encoding or I/O failure.
    fn finish(&mut self, final_json: &str) -> Result<(), OutputError>;
    /// Abandon the output, removing anything partial.
    fn abort(&mut self);
}
