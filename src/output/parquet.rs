//! The Parquet sink: one row per event, flat primitive columns, zstd level 1, streaming row groups,
//! written to a temporary file beside the target and renamed only after the footer is written.
//!
//! Metadata (ECOSYSTEM.md section 2.5): the run record (JSON) is written as Arrow schema metadata
//! under `nuportal` and `PANDAS_ATTRS` (what pyarrow and pandas read; known at the start, so it
//! holds the configuration, model, exposure and the tabulated predictions) and as Parquet footer
//! key-value metadata under `nuportal` (what Polars and DuckDB read; written at the end, so it also
//! holds the run summary: sums of weights per channel, event counts). The resolved config is also
//! stored as TOML text under `nuportal.config`. Every field carries `unit` and `description`
//! metadata.

use super::{OutputError, Sink};
use crate::event::{ColumnData, ColumnKind, ColumnPlan, EventBatch};
use arrow::array::{
    ArrayRef, DictionaryArray, Float64Array, Int32Array, Int64Array, Int8Array, StringArray,
    UInt16Array,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, UInt16Type};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// Rows per Parquet row group (about 50 MB for a 30-column record; ECOSYSTEM.md 3.3).
pub const ROW_GROUP_ROWS: usize = 262_144;

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

/// Writes a Parquet file atomically: to `.<name>.<pid>.tmp` beside the target, renamed on finish.
pub struct ParquetSink {
    file: super::AtomicPath,
    writer: Option<ArrowWriter<File>>,
    schema: Option<SchemaRef>,
    channel_names: StringArray,
}

impl ParquetSink {
    /// A sink for `target`; with `force` an existing file is replaced (at finish), otherwise its
    /// existence is an error at `begin`.
    #[must_use]
    pub fn new(target: &Path, force: bool) -> Self {
        Self {
            file: super::AtomicPath::new(target, force),
            writer: None,
            schema: None,
            channel_names: StringArray::from(Vec::<String>::new()),
        }
    }

    /// The temporary path used while writing.
    #[must_use]
    pub fn temp_path(&self) -> &Path {
        self.file.temp_path()
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
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|e| OutputError::Encode(e.to_string()))?;
        self.channel_names = StringArray::from(plan.channel_names.clone());
        self.writer = Some(writer);
        self.schema = Some(schema);
        Ok(())
    }

    fn write_batch(&mut self, batch: EventBatch) -> Result<(), OutputError> {
        let (Some(w), Some(s)) = (self.writer.as_mut(), self.schema.as_ref()) else {
            return Err(OutputError::Encode("write_batch before begin".into()));
        };
        let rb = to_record_batch(s, &self.channel_names, batch)?;
        w.write(&rb).map_err(|e| OutputError::Encode(e.to_string()))
    }

    fn finish(&mut self, final_json: &str) -> Result<(), OutputError> {
        let Some(mut w) = self.writer.take() else {
            return Err(OutputError::Encode("finish before begin".into()));
        };
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
        let file = w
            .into_inner()
            .map_err(|e| OutputError::Encode(e.to_string()))?;
        self.file.commit(file)
    }

    fn abort(&mut self) {
        self.writer = None;
        self.file.discard();
    }
}

impl Drop for ParquetSink {
    fn drop(&mut self) {
        self.abort();
    }
}
