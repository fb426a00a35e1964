"""Refunds through WeChat Pay: proposed by a committee member, confirmed by a second at
pending-changes, and WeChat Pay's refund notification."""

from apiflask import APIBlueprint
from flask import Response, request

from server.api.schemas.refunds import (
    RefundableOut,
    RefundIn,
    RefundListOut,
    RefundOut,
    RefundQuery,
)
from server.api.security import auth, principal
from server.services.money import refund_notifications, refunds

bp = APIBlueprint("refunds", __name__, url_prefix="/api/v1", tag="Fees")
COMPOUND = "/compounds/<string(maxlength=32):code>"


@bp.post(f"{COMPOUND}/refunds")
@bp.auth_required(auth)
@bp.input(RefundIn, arg_name="body")
@bp.output(RefundOut, status_code=201)
@bp.doc(
    summary="Propose refunding part or all of a WeChat payment (committee)",
    description="A second, different committee member confirms it at "
    "`/compounds/{code}/pending-changes/{pending_change_id}/confirm`; it is then sent to "
    "WeChat Pay, and the ledger moves when WeChat Pay says the money went back.",
    responses={
        400: "refund_exceeds_refundable, validation_error",
        403: "committee_only",
        404: "payment_not_found, anomaly_not_found",
        409: "payment_not_refundable (not a paid WeChat payment), compound_archived",
        503: "refund_not_configured",
    },
)
def propose(code, body):
    return refunds.propose(
        principal(),
        code,
        body["payment_id"],
        body["amount_fen"],
        body["reason"],
        body.get("anomaly_id"),
    )


@bp.get(f"{COMPOUND}/refunds")
@bp.auth_required(auth)
@bp.input(RefundQuery, location="query", arg_name="query")
@bp.output(RefundListOut)
@bp.doc(summary="The compound's refunds, newest first (committee, supervisor)")
def refund_list(code, query):
    return {
        "items": refunds.refunds_for(
            principal(), code, query.get("status"), query.get("payment_id")
        )
    }


@bp.get(f"{COMPOUND}/refunds/<int:refund_id>")
@bp.auth_required(auth)
@bp.output(RefundOut)
@bp.doc(summary="One refund (committee, supervisor)", responses={404: "refund_not_found"})
def refund_detail(code, refund_id):
    return refunds.refund_for(principal(), code, refund_id)


@bp.get(f"{COMPOUND}/payments/<int:payment_id>/refundable")
@bp.auth_required(auth)
@bp.output(RefundableOut)
@bp.doc(
    summary="How much of a payment may still be refunded (committee, supervisor)",
    responses={404: "payment_not_found"},
)
def refundable(code, payment_id):
    return refunds.refundable(principal(), code, payment_id)


@bp.post("/payments/wechat/refund-notify/<string(maxlength=32):merchant>")
@bp.doc(hide=True)
def wechat_refund_notify(merchant):
    """WeChat Pay's refund notification (v2 XML or v3 JSON, as the merchant speaks)."""
    answer = refund_notifications.answer(
        request.content_length,
        lambda: request.get_data(cache=False),
        dict(request.headers),
        merchant,
    )
    return Response(answer.body, mimetype=answer.mimetype, status=answer.status)
