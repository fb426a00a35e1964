"""Payments that need a look (anomalies, refunds) and the daily reconciliation reports."""

from apiflask import APIBlueprint

from server.api.schemas.ledger import (
    AnomalyListOut,
    AnomalyQuery,
    AnomalyResolveIn,
    ReportListOut,
    ResolvedAnomalyOut,
)
from server.api.security import auth, principal
from server.services.money import anomalies, reconciliation

bp = APIBlueprint("anomalies", __name__, url_prefix="/api/v1", tag="Fees")


@bp.get("/compounds/<string(maxlength=32):code>/payment-anomalies")
@bp.auth_required(auth)
@bp.input(AnomalyQuery, location="query", arg_name="query")
@bp.output(AnomalyListOut)
@bp.doc(
    summary="Payments that need a look: amount mismatches, double payments (committee, supervisor)"
)
def anomaly_list(code, query):
    return {"items": anomalies.anomalies_for(principal(), code, open_only=query["open"])}


@bp.post("/compounds/<string(maxlength=32):code>/payment-anomalies/<int:anomaly_id>/resolve")
@bp.auth_required(auth)
@bp.input(AnomalyResolveIn, arg_name="body")
@bp.output(ResolvedAnomalyOut)
@bp.doc(
    summary="Record a refund made, or resolve an anomaly with a note (committee)",
    description="A note alone (nothing owed back) resolves it: 200. A refund waits for a "
    "second, different committee member: 202, with `pending_refund`; it counts (ledger, "
    "`refunded_fen`) once confirmed at `/compounds/{code}/pending-changes/{id}/confirm`.",
    responses={
        202: "the refund waits for a second person",
        409: "already resolved, or compound_archived",
    },
)
def resolve_anomaly(code, anomaly_id, body):
    anomaly, waiting = anomalies.resolve(
        principal(), code, anomaly_id, body["resolution"], body["refunded_fen"]
    )
    return anomaly, 202 if waiting else 200


@bp.get("/compounds/<string(maxlength=32):code>/payment-reports")
@bp.auth_required(auth)
@bp.output(ReportListOut)
@bp.doc(summary="Daily reconciliation with WeChat Pay, newest first (committee, supervisor)")
def payment_reports(code):
    return {"items": reconciliation.reports_for(principal(), code)}
