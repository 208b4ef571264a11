//! An in-memory sink that keeps every batch (for tests and in-process analysis).

use super::{OutputError, Sink};
use crate::event::{ColumnPlan, EventBatch};

/// Keeps the plan, the metadata and the batches it receives.
#[derive(Debug, Default)]
pub struct MemorySink {
    /// The column plan, after `begin`.
    pub plan: Option<ColumnPlan>,
    /// The metadata given to `begin`.
    pub begin_meta: String,
    /// The metadata given to `finish`.
    pub final_meta: String,
    /// Batches received.
    pub batches: Vec<EventBatch>,
    /// Whether `finish` was called.
    pub finished: bool,
}

impl MemorySink {
    /// All values of the named f64 column, concatenated over batches.
    #[must_use]
    pub fn f64_column(&self, name: &str) -> Option<Vec<f64>> {
        let plan = self.plan.as_ref()?;
        let i = plan.columns.iter().position(|c| c.name == name)?;
        let mut out = Vec::new();
        for b in &self.batches {
            out.extend_from_slice(b.f64_column(i)?);
        }
        Some(out)
    }
}

impl Sink for MemorySink {
    fn begin(&mut self, plan: &ColumnPlan, meta_json: &str) -> Result<(), OutputError> {
        self.plan = Some(plan.clone());
        self.begin_meta = meta_json.to_string();
        Ok(())
    }
    fn write_batch(&mut self, batch: EventBatch) -> Result<(), OutputError> {
        self.batches.push(batch);
        Ok(())
    }
    fn finish(&mut self, final_json: &str) -> Result<(), OutputError> {
        self.final_meta = final_json.to_string();
        self.finished = true;
        Ok(())
    }
    fn abort(&mut self) {
        self.batches.clear();
    }
}
