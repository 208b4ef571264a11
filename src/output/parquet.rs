//! The Parquet sink: one row per event, flat primitive columns, zstd level 1, streaming row groups,
//! written to a temporary file beside the target and renamed only after the footer is written.
//!
//! **Parallel encoding.** Encoding and compressing the columns is most of the cost of writing
//! (zstd(1) on ~40 f64 columns). The sink hands a [`RowGroupEncoder`] to the generator
//! ([`Sink::encoder`]); each generating thread encodes whole row groups of its own events with
//! `ArrowColumnWriter`s (the low-level parallel API of the `parquet` crate), and the sink's thread
//! only appends the finished column chunks in event order and asks the disk to write them back
//! (`fdatasync`) as they arrive, so little is left for the final `fsync` before the rename.
//! Memory in flight is at most about (2 threads + 4) compressed row groups of
//! [`PARALLEL_ROW_GROUP_ROWS`] (see `Generator::run`).
//!
//! Metadata (ECOSYSTEM.md section 2.5): the run record (JSON) is written as Arrow schema metadata
//! under `nuportal` and `PANDAS_ATTRS` (what pyarrow and pandas read; known at the start, so it
//! holds the configuration, model, exposure and the tabulated predictions) and as Parquet footer
//! key-value metadata under `nuportal` (what Polars and DuckDB read; written at the end, so it also
//! holds the run summary: sums of weights per channel, event counts). The resolved config is also
//! stored as TOML text under `nuportal.config`. Every field carries `unit` and `description`
//! metadata.

use super::{Encoded, Encoder, OutputError, Sink};
use crate::event::{ColumnData, ColumnKind, ColumnPlan, EventBatch};
use arrow::array::{
    ArrayRef, DictionaryArray, Float64Array, Int32Array, Int64Array, Int8Array, StringArray,
    UInt16Array,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, UInt16Type};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_writer::{
    compute_leaves, ArrowColumnChunk, ArrowColumnWriter, ArrowRowGroupWriterFactory,
};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// Rows per Parquet row group when batches are written one by one (about 50 MB for a 30-column
/// record; ECOSYSTEM.md 3.3).
pub const ROW_GROUP_ROWS: usize = 262_144;

/// Rows per row group when generating threads encode them ([`RowGroupEncoder`]): one default chunk,
/// about 16 MB compressed for the 43 default columns. Smaller than the 128 k-1 M rows ECOSYSTEM.md
/// 3.3 suggests for readers (DuckDB's own groups are 122,880 rows), because the row groups in
/// flight (one per thread plus the queue) are what the run holds in memory, and because it measured
/// faster: 1e6 default events on 2 threads in 0.76 s against 0.81 s with 131,072 rows.
pub const PARALLEL_ROW_GROUP_ROWS: usize = 65_536;

/// Build the Arrow schema of a column plan, with unit/description field metadata and the given
/// schema metadata.
#[must_use]
pub fn arrow_schema(plan: &ColumnPlan, metadata: HashMap<String, String>) -> Schema {
    let fields: Vec<Field> = plan
        .columns
        .iter()
        .map(|c| {
            let dt = match c.kind {
                ColumnKind::F64 => DataType::Float64,
                ColumnKind::I64 => DataType::Int64,
                ColumnKind::I32 => DataType::Int32,
                ColumnKind::I8 => DataType::Int8,
                ColumnKind::Dict => {
                    DataType::Dictionary(Box::new(DataType::UInt16), Box::new(DataType::Utf8))
                }
            };
            let mut md = HashMap::new();
            md.insert("unit".to_string(), c.unit.to_string());
            md.insert("description".to_string(), c.description.clone());
            Field::new(&c.name, dt, false).with_metadata(md)
        })
        .collect();
    Schema::new(fields).with_metadata(metadata)
}

/// Turn a batch into an Arrow record batch (moves the buffers, no copy of the data).
///
/// # Errors
/// [`OutputError::Encode`] if Arrow rejects the arrays (a bug).
pub fn to_record_batch(
    schema: &SchemaRef,
    channel_names: &StringArray,
    batch: EventBatch,
) -> Result<RecordBatch, OutputError> {
    let arrays: Vec<ArrayRef> = batch
        .data
        .into_iter()
        .map(|d| -> Result<ArrayRef, OutputError> {
            Ok(match d {
                ColumnData::F64(v) => Arc::new(Float64Array::from(v)),
                ColumnData::I64(v) => Arc::new(Int64Array::from(v)),
                ColumnData::I32(v) => Arc::new(Int32Array::from(v)),
                ColumnData::I8(v) => Arc::new(Int8Array::from(v)),
                ColumnData::Dict(v) => {
                    let keys = UInt16Array::from(v);
                    let values: ArrayRef = Arc::new(channel_names.clone());
                    Arc::new(
                        DictionaryArray::<UInt16Type>::try_new(keys, values)
                            .map_err(|e| OutputError::Encode(e.to_string()))?,
                    )
                }
            })
        })
        .collect::<Result<_, _>>()?;
    RecordBatch::try_new(schema.clone(), arrays).map_err(|e| OutputError::Encode(e.to_string()))
}

/// Writer properties: zstd(1), no dictionary but for the channel column, chunk statistics,
/// bounded row groups.
#[must_use]
pub fn writer_properties(kv: Vec<KeyValue>) -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).unwrap_or_default()))
        .set_dictionary_enabled(false)
        .set_column_dictionary_enabled(ColumnPath::from("channel"), true)
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_key_value_metadata(Some(kv))
        .build()
}

/// Encodes groups of batches into Parquet row groups on any thread (cheap to clone: shared
/// schema, properties and channel names).
#[derive(Clone)]
pub struct RowGroupEncoder {
    factory: Arc<ArrowRowGroupWriterFactory>,
    schema: SchemaRef,
    channel_names: StringArray,
}

impl RowGroupEncoder {
    /// Fresh column writers for one row group.
    fn writers(&self) -> Result<Vec<ArrowColumnWriter>, OutputError> {
        self.factory.create_column_writers(0).map_err(encode_error)
    }

    /// Encode `batch` into `writers` (one writer per column; the schema is flat).
    fn write_into(
        &self,
        writers: &mut [ArrowColumnWriter],
        batch: EventBatch,
    ) -> Result<(), OutputError> {
        let rb = to_record_batch(&self.schema, &self.channel_names, batch)?;
        for ((field, column), writer) in self.schema.fields().iter().zip(rb.columns()).zip(writers)
        {
            for leaf in compute_leaves(field, column).map_err(encode_error)? {
                writer.write(&leaf).map_err(encode_error)?;
            }
        }
        Ok(())
    }

    /// Start a row group.
    ///
    /// # Errors
    /// [`OutputError::Encode`] if the column writers cannot be made (a bug).
    pub fn start(&self) -> Result<RowGroupInProgress, OutputError> {
        Ok(RowGroupInProgress {
            writers: self.writers()?,
            encoder: self.clone(),
        })
    }
}

/// A row group being encoded: its column writers hold the compressed pages so far.
pub struct RowGroupInProgress {
    encoder: RowGroupEncoder,
    writers: Vec<ArrowColumnWriter>,
}

impl RowGroupInProgress {
    /// Encode the next batch (in event order) into the row group.
    ///
    /// # Errors
    /// [`OutputError::Encode`] if the encoder fails (a bug).
    pub fn push(&mut self, batch: EventBatch) -> Result<(), OutputError> {
        self.encoder.write_into(&mut self.writers, batch)
    }

    /// The finished column chunks, in schema order.
    ///
    /// # Errors
    /// [`OutputError::Encode`] if the encoder fails (a bug).
    pub fn finish(self) -> Result<Vec<ArrowColumnChunk>, OutputError> {
        close(self.writers)
    }
}

fn encode_error(e: impl std::fmt::Display) -> OutputError {
    OutputError::Encode(e.to_string())
}

fn close(writers: Vec<ArrowColumnWriter>) -> Result<Vec<ArrowColumnChunk>, OutputError> {
    writers
        .into_iter()
        .map(|w| w.close().map_err(encode_error))
        .collect()
}

/// Writes a Parquet file atomically: to `.<name>.<pid>.tmp` beside the target, renamed on finish.
pub struct ParquetSink {
    file: super::AtomicPath,
    writer: Option<SerializedFileWriter<File>>,
    encoder: Option<RowGroupEncoder>,
    /// The row group being filled by `write_batch`, and its rows.
    pending: Option<(Vec<ArrowColumnWriter>, usize)>,
}

impl ParquetSink {
    /// A sink for `target`; with `force` an existing file is replaced (at finish), otherwise its
    /// existence is an error at `begin`.
    #[must_use]
    pub fn new(target: &Path, force: bool) -> Self {
        Self {
            file: super::AtomicPath::new(target, force),
            writer: None,
            encoder: None,
            pending: None,
        }
    }

    /// The temporary path used while writing.
    #[must_use]
    pub fn temp_path(&self) -> &Path {
        self.file.temp_path()
    }

    /// Append one encoded row group, then start writing it back to disk (`fdatasync` on the
    /// sink's thread, overlapping with generation), so that the final `fsync` has little left.
    fn append(&mut self, chunks: Vec<ArrowColumnChunk>) -> Result<(), OutputError> {
        let Some(w) = self.writer.as_mut() else {
            return Err(OutputError::Encode("write before begin".into()));
        };
        let mut rg = w.next_row_group().map_err(encode_error)?;
        for chunk in chunks {
            chunk.append_to_row_group(&mut rg).map_err(encode_error)?;
        }
        rg.close().map_err(encode_error)?;
        w.inner().sync_data().map_err(|e| self.file.io_error(e))
    }

    /// Close and append the row group `write_batch` was filling, if any.
    fn flush_pending(&mut self) -> Result<(), OutputError> {
        match self.pending.take() {
            Some((writers, _)) => self.append(close(writers)?),
            None => Ok(()),
        }
    }
}

impl Sink for ParquetSink {
    fn begin(&mut self, plan: &ColumnPlan, meta_json: &str) -> Result<(), OutputError> {
        let mut md = HashMap::new();
        md.insert("nuportal".to_string(), meta_json.to_string());
        md.insert("PANDAS_ATTRS".to_string(), meta_json.to_string());
        let schema = Arc::new(arrow_schema(plan, md));
        let file = self.file.create()?;
        let props = writer_properties(vec![]);
        // ArrowWriter builds the Parquet schema and stores the Arrow schema in the footer; its
        // low-level parts then take row groups encoded anywhere.
        let (writer, factory) = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .and_then(ArrowWriter::into_serialized_writer)
            .map_err(encode_error)?;
        self.encoder = Some(RowGroupEncoder {
            factory: Arc::new(factory),
            schema,
            channel_names: StringArray::from(plan.channel_names.clone()),
        });
        self.writer = Some(writer);
        Ok(())
    }

    fn write_batch(&mut self, batch: EventBatch) -> Result<(), OutputError> {
        let Some(enc) = self.encoder.as_ref() else {
            return Err(OutputError::Encode("write_batch before begin".into()));
        };
        let (mut writers, rows) = match self.pending.take() {
            Some(p) => p,
            None => (enc.writers()?, 0),
        };
        let rows = rows + batch.len();
        enc.write_into(&mut writers, batch)?;
        if rows >= ROW_GROUP_ROWS {
            self.append(close(writers)?)
        } else {
            self.pending = Some((writers, rows));
            Ok(())
        }
    }

    fn encoder(&self) -> Encoder {
        self.encoder
            .clone()
            .map_or(Encoder::PassThrough, Encoder::Parquet)
    }

    fn write_encoded(&mut self, group: Encoded) -> Result<(), OutputError> {
        self.flush_pending()?;
        match group {
            Encoded::ParquetRowGroup(chunks) => self.append(chunks),
            Encoded::Batches(batches) => batches.into_iter().try_for_each(|b| self.write_batch(b)),
        }
    }

    fn finish(&mut self, final_json: &str) -> Result<(), OutputError> {
        self.flush_pending()?;
        let Some(mut w) = self.writer.take() else {
            return Err(OutputError::Encode("finish before begin".into()));
        };
        self.encoder = None;
        w.append_key_value_metadata(KeyValue::new(
            "nuportal".to_string(),
            final_json.to_string(),
        ));
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(final_json) {
            if let Some(cfg) = v.get("config_toml").and_then(|c| c.as_str()) {
                w.append_key_value_metadata(KeyValue::new(
                    "nuportal.config".to_string(),
                    cfg.to_string(),
                ));
            }
        }
        let file = w.into_inner().map_err(encode_error)?;
        self.file.commit(file)
    }

    fn abort(&mut self) {
        self.pending = None;
        self.encoder = None;
        self.writer = None;
        self.file.discard();
    }
}

impl Drop for ParquetSink {
    fn drop(&mut self) {
        self.abort();
    }
}
