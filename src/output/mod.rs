//! Output sinks: where column batches go. A sink is begun with the column plan and the run
//! metadata, receives batches in event order, and is finished (atomically, for files) or aborted.
//!
//! - [`parquet::ParquetSink`]: the user-facing Parquet writer (DESIGN.md "Parquet").
//! - [`hepmc3::HepMC3Sink`]: HepMC3 ASCII events for detector simulation.
//! - [`memory::MemorySink`]: keeps batches in memory (tests, in-process analysis).
//! - [`FileSink`]: one of the file sinks, chosen by [`Format`] at run time (static dispatch).
//! - [`reader::SampleReader`]: reads a Parquet sample back (`nuportal plot`, tests).
//! - [`schema`]: the schema reference table (`nuportal info --schema`, README).

pub mod hepmc3;
pub mod memory;
pub mod parquet;
pub mod reader;
pub mod schema;

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

/// A file written under a temporary name beside its target (`.<name>.<pid>.tmp`) and renamed into
/// place only when complete, so a reader never sees a partial file; shared by the file sinks.
#[derive(Debug)]
pub struct AtomicPath {
    target: std::path::PathBuf,
    tmp: std::path::PathBuf,
    force: bool,
    done: bool,
}

impl AtomicPath {
    /// A temporary path beside `target`; with `force` an existing target is replaced at commit.
    #[must_use]
    pub fn new(target: &std::path::Path, force: bool) -> Self {
        let name = target
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let tmp = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        Self {
            target: target.to_path_buf(),
            tmp,
            force,
            done: false,
        }
    }

    /// The temporary path used while writing.
    #[must_use]
    pub fn temp_path(&self) -> &std::path::Path {
        &self.tmp
    }

    /// An I/O error on the temporary file.
    #[must_use]
    pub fn io_error(&self, source: std::io::Error) -> OutputError {
        OutputError::Io {
            path: self.tmp.display().to_string(),
            source,
        }
    }

    /// Check the target (an existing one needs `force`), create its directory, and create the
    /// temporary file.
    ///
    /// # Errors
    /// [`OutputError::Exists`] or [`OutputError::Io`].
    pub fn create(&self) -> Result<std::fs::File, OutputError> {
        if self.target.exists() && !self.force {
            return Err(OutputError::Exists {
                path: self.target.display().to_string(),
            });
        }
        if let Some(dir) = self.target.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
        }
        std::fs::File::create(&self.tmp).map_err(|e| self.io_error(e))
    }

    /// Flush `file` to disk and rename the temporary file to the target.
    ///
    /// # Errors
    /// [`OutputError::Io`].
    pub fn commit(&mut self, file: std::fs::File) -> Result<(), OutputError> {
        file.sync_all().map_err(|e| self.io_error(e))?;
        drop(file);
        std::fs::rename(&self.tmp, &self.target).map_err(|source| OutputError::Io {
            path: self.target.display().to_string(),
            source,
        })?;
        self.done = true;
        Ok(())
    }

    /// Remove the temporary file (nothing happens after a commit).
    pub fn discard(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
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
    /// The encoder that generating threads apply to groups of consecutive batches before the
    /// groups reach [`Sink::write_encoded`] (called after `begin`). The default passes batches
    /// through, and the sink encodes them itself in `write_batch`.
    fn encoder(&self) -> Encoder {
        Encoder::PassThrough
    }
    /// Write one group made by [`Sink::encoder`], in event order. The default writes the batches
    /// of a pass-through group one by one.
    ///
    /// # Errors
    /// [`OutputError`] on an encoding or I/O failure, or for a group this sink did not encode.
    fn write_encoded(&mut self, group: Encoded) -> Result<(), OutputError> {
        match group {
            Encoded::Batches(batches) => batches.into_iter().try_for_each(|b| self.write_batch(b)),
            Encoded::ParquetRowGroup(_) => Err(OutputError::Encode(
                "a pre-encoded Parquet row group sent to a sink that did not make it".into(),
            )),
        }
    }
}

/// Work done on the generating threads before a group of batches reaches its sink, so that
/// encoding (for Parquet: the column encoders and zstd, most of the cost of writing) runs in
/// parallel and the sink's own thread only appends bytes.
#[derive(Clone)]
pub enum Encoder {
    /// Nothing: the batches go to the sink as they are, one batch per group.
    PassThrough,
    /// Encode and compress a group of batches into one Parquet row group.
    Parquet(parquet::RowGroupEncoder),
}

impl Encoder {
    /// Rows the sink wants per group (the generator groups whole chunks up to this); 0 for
    /// one batch per group.
    #[must_use]
    pub fn rows_per_group(&self) -> usize {
        match self {
            Encoder::PassThrough => 0,
            Encoder::Parquet(_) => parquet::PARALLEL_ROW_GROUP_ROWS,
        }
    }

    /// Start a group; batches are pushed into it in event order as they are generated.
    ///
    /// # Errors
    /// [`OutputError::Encode`] if the encoder cannot be set up (a bug).
    pub fn start(&self) -> Result<GroupEncoder, OutputError> {
        Ok(match self {
            Encoder::PassThrough => GroupEncoder::Batches(Vec::new()),
            Encoder::Parquet(e) => GroupEncoder::Parquet(e.start()?),
        })
    }
}

/// One group being encoded on a generating thread: a batch is encoded as soon as it is pushed, so
/// only one uncompressed batch per thread is alive at a time.
pub enum GroupEncoder {
    /// Pass-through: the batches as they are.
    Batches(Vec<EventBatch>),
    /// A Parquet row group being encoded.
    Parquet(parquet::RowGroupInProgress),
}

impl GroupEncoder {
    /// Add the next batch (in event order).
    ///
    /// # Errors
    /// [`OutputError::Encode`] if the encoder fails (a bug).
    pub fn push(&mut self, batch: EventBatch) -> Result<(), OutputError> {
        match self {
            GroupEncoder::Batches(v) => {
                v.push(batch);
                Ok(())
            }
            GroupEncoder::Parquet(g) => g.push(batch),
        }
    }

    /// Close the group for the sink.
    ///
    /// # Errors
    /// [`OutputError::Encode`] if the encoder fails (a bug).
    pub fn finish(self) -> Result<Encoded, OutputError> {
        match self {
            GroupEncoder::Batches(v) => Ok(Encoded::Batches(v)),
            GroupEncoder::Parquet(g) => g.finish().map(Encoded::ParquetRowGroup),
        }
    }
}

/// A group of consecutive batches as made by an [`Encoder`].
pub enum Encoded {
    /// Batches still to be encoded by the sink.
    Batches(Vec<EventBatch>),
    /// The encoded, compressed column chunks of one Parquet row group, in schema order.
    ParquetRowGroup(Vec<::parquet::arrow::arrow_writer::ArrowColumnChunk>),
}

/// Output file format (`--format`, `[output] format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Apache Parquet, one row per event ([`parquet::ParquetSink`]).
    #[default]
    Parquet,
    /// HepMC3 ASCII ("Asciiv3"), one event record per event ([`hepmc3::HepMC3Sink`]).
    Hepmc3,
}

impl Format {
    /// File extension (without the dot).
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Hepmc3 => "hepmc3",
        }
    }
}

/// A file sink of either format.
pub enum FileSink {
    /// Parquet.
    Parquet(parquet::ParquetSink),
    /// HepMC3 ASCII.
    Hepmc3(hepmc3::HepMC3Sink),
}

impl FileSink {
    /// A sink of `format` writing `target` (atomically; `force` replaces an existing file).
    #[must_use]
    pub fn new(format: Format, target: &std::path::Path, force: bool) -> Self {
        match format {
            Format::Parquet => FileSink::Parquet(parquet::ParquetSink::new(target, force)),
            Format::Hepmc3 => FileSink::Hepmc3(hepmc3::HepMC3Sink::new(target, force)),
        }
    }
}

impl Sink for FileSink {
    fn begin(&mut self, plan: &ColumnPlan, meta_json: &str) -> Result<(), OutputError> {
        match self {
            FileSink::Parquet(s) => s.begin(plan, meta_json),
            FileSink::Hepmc3(s) => s.begin(plan, meta_json),
        }
    }
    fn write_batch(&mut self, batch: EventBatch) -> Result<(), OutputError> {
        match self {
            FileSink::Parquet(s) => s.write_batch(batch),
            FileSink::Hepmc3(s) => s.write_batch(batch),
        }
    }
    fn finish(&mut self, final_json: &str) -> Result<(), OutputError> {
        match self {
            FileSink::Parquet(s) => s.finish(final_json),
            FileSink::Hepmc3(s) => s.finish(final_json),
        }
    }
    fn abort(&mut self) {
        match self {
            FileSink::Parquet(s) => s.abort(),
            FileSink::Hepmc3(s) => s.abort(),
        }
    }
    fn encoder(&self) -> Encoder {
        match self {
            FileSink::Parquet(s) => s.encoder(),
            FileSink::Hepmc3(s) => s.encoder(),
        }
    }
    fn write_encoded(&mut self, group: Encoded) -> Result<(), OutputError> {
        match self {
            FileSink::Parquet(s) => s.write_encoded(group),
            FileSink::Hepmc3(s) => s.write_encoded(group),
        }
    }
}
