//! Plan codecs that carry the crate's conditions to Ballista's scheduler and
//! executors.
//!
//! [`to_expr`](super::to_expr) runs the conditions DataFusion has no native
//! expression for as scalar UDFs holding the compiled filter. Ballista
//! sends plans to other processes as protobuf and rebuilds a UDF there by
//! its name, so a UDF with state needs a codec: these write the filter's
//! schema (as JSON) and canonical text and the condition's position, and
//! compile it again on the other side (the canonical text parses to the
//! same tree). Everything else goes to Ballista's own codecs.
//!
//! The scheduler, every executor and the client must use them: set them
//! in the session config with
//! `SessionConfigExt::with_ballista_logical_extension_codec` and
//! `with_ballista_physical_extension_codec`, as
//! [`ballista::session_state`](super::ballista::session_state) does.

use super::{detach, expr};
use ::datafusion::arrow::datatypes::SchemaRef;
use ::datafusion::common::TableReference;
use ::datafusion::datasource::TableProvider;
use ::datafusion::datasource::file_format::FileFormatFactory;
use ::datafusion::error::Result;
use ::datafusion::execution::TaskContext;
use ::datafusion::logical_expr::{Extension, LogicalPlan, ScalarUDF};
use ::datafusion::physical_plan::ExecutionPlan;
use ballista_core::serde::{BallistaLogicalExtensionCodec, BallistaPhysicalExtensionCodec};
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use datafusion_proto::physical_plan::{PhysicalExtensionCodec, PhysicalProtoConverterExtension};
use std::sync::Arc;

/// Ballista's logical codec, plus the crate's conditions.
#[derive(Debug, Default)]
pub struct LogicalCodec {
    inner: BallistaLogicalExtensionCodec,
}

impl LogicalExtensionCodec for LogicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> Result<Extension> {
        self.inner.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> Result<Arc<dyn TableProvider>> {
        self.inner
            .try_decode_table_provider(buf, table_ref, schema, ctx)
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        self.inner.try_encode_table_provider(table_ref, node, buf)
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> Result<Arc<dyn FileFormatFactory>> {
        self.inner.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> Result<()> {
        self.inner.try_encode_file_format(buf, node)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        decode_udf(name, buf).unwrap_or_else(|| self.inner.try_decode_udf(name, buf))
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        if encode_udf(node, buf)? {
            return Ok(());
        }
        self.inner.try_encode_udf(node, buf)
    }
}

/// Ballista's physical codec, plus the crate's conditions.
#[derive(Debug, Default)]
pub struct PhysicalCodec {
    inner: BallistaPhysicalExtensionCodec,
}

impl PhysicalExtensionCodec for PhysicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        ctx: &TaskContext,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.inner.try_decode(buf, inputs, ctx, proto_converter)
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<()> {
        self.inner.try_encode(node, buf, proto_converter)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        decode_udf(name, buf).unwrap_or_else(|| self.inner.try_decode_udf(name, buf))
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        if encode_udf(node, buf)? {
            return Ok(());
        }
        self.inner.try_encode_udf(node, buf)
    }
}

/// The crate's UDF `name` written as `buf`, if it is one of them.
fn decode_udf(name: &str, buf: &[u8]) -> Option<Result<Arc<ScalarUDF>>> {
    expr::decode_udf(name, buf).or_else(|| detach::decode_udf(name).map(Ok))
}

/// Writes the crate's UDF `udf` to `buf`; `false` when it is not one of
/// them. (The record rewrite of `detach::apply_to_dir` has no state: its
/// name is enough.)
fn encode_udf(udf: &ScalarUDF, buf: &mut Vec<u8>) -> Result<bool> {
    Ok(expr::encode_udf(udf, buf)? || detach::is_without_node_ids(udf))
}
