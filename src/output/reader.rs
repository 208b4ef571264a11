//! Reading a nuportal Parquet sample back: selected f64 columns batch by batch (projection, so only
//! those columns are decoded) and the run record from the footer. Used by `nuportal plot` and the
//! tests.

use arrow::array::{Array, Float64Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use std::fs::File;
use std::path::Path;

/// Errors of reading a sample.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file cannot be opened.
    #[error("{path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// I/O error.
        source: std::io::Error,
    },
    /// Not a readable Parquet file, or a column is not f64.
    #[error("{path}: {message}")]
    Format {
        /// Path.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// An open Parquet sample.
pub struct SampleReader {
    path: String,
    builder: ParquetRecordBatchReaderBuilder<File>,
}

impl SampleReader {
    /// Open `path`.
    ///
    /// # Errors
    /// [`ReadError`] if it cannot be opened or is not Parquet.
    pub fn open(path: &Path) -> Result<Self, ReadError> {
        let p = path.display().to_string();
        let file = File::open(path).map_err(|source| ReadError::Io {
            path: p.clone(),
            source,
        })?;
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| ReadError::Format {
                path: p.clone(),
                message: format!("not a readable Parquet file: {e}"),
            })?;
        Ok(Self { path: p, builder })
    }

    /// Column names.
    #[must_use]
    pub fn columns(&self) -> Vec<String> {
        self.builder
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// Number of rows.
    #[must_use]
    pub fn rows(&self) -> i64 {
        self.builder.metadata().file_metadata().num_rows()
    }

    /// Footer key-value metadata `key` (e.g. `nuportal`, the run record as JSON).
    #[must_use]
    pub fn footer(&self, key: &str) -> Option<String> {
        self.builder
            .metadata()
            .file_metadata()
            .key_value_metadata()?
            .iter()
            .find(|kv| kv.key == key)
            .and_then(|kv| kv.value.clone())
    }

    /// Call `f` with the values of the named f64 columns (in the order of `names`), batch by batch.
    ///
    /// # Errors
    /// [`ReadError::Format`] if a column is missing or not f64, or decoding fails.
    pub fn for_each_batch(
        self,
        names: &[&str],
        mut f: impl FnMut(&[&[f64]]),
    ) -> Result<(), ReadError> {
        let path = self.path;
        let fmt = |message: String| ReadError::Format {
            path: path.clone(),
            message,
        };
        let schema = self.builder.schema().clone();
        let mut leaves = Vec::with_capacity(names.len());
        for n in names {
            let i = schema
                .index_of(n)
                .map_err(|_| fmt(format!("no column `{n}`")))?;
            leaves.push(i);
        }
        let mask = ProjectionMask::roots(self.builder.parquet_schema(), leaves);
        let reader = self
            .builder
            .with_projection(mask)
            .build()
            .map_err(|e| fmt(e.to_string()))?;
        for batch in reader {
            let batch = batch.map_err(|e| fmt(e.to_string()))?;
            let mut cols: Vec<&[f64]> = Vec::with_capacity(names.len());
            for n in names {
                let a = batch
                    .column_by_name(n)
                    .ok_or_else(|| fmt(format!("no column `{n}`")))?;
                let v = a
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .ok_or_else(|| fmt(format!("column `{n}` is not f64")))?;
                if v.null_count() > 0 {
                    return Err(fmt(format!("column `{n}` has nulls")));
                }
                cols.push(v.values());
            }
            f(&cols);
        }
        Ok(())
    }
}
