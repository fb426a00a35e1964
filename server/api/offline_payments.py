"""Cash and transfers: recorded by one volunteer, confirmed by a second committee member."""

from apiflask import APIBlueprint

from server.api.schemas.money import (
    OfflinePaymentIn,
    OfflinePaymentListOut,
    OfflinePaymentOut,
    OfflineQuery,
    RejectOfflineIn,
)
from server.api.security import auth, principal
from server.services.money import offline_payments

bp = APIBlueprint("offline_payments", __name__, url_prefix="/api/v1/offline-payments", tag="Fees")


@bp.post("")
@bp.auth_required(auth)
@bp.input(OfflinePaymentIn, arg_name="body")
@bp.output(OfflinePaymentOut, status_code=201)
@bp.doc(
    summary="Record a cash payment or transfer (the unit's liaison or committee)",
    description="Bills of one household; `amount_fen` is their total exactly. They wait "
    "(`pending`) until a committee member other than the recorder confirms.",
    responses={
        400: "amount_mismatch, paid_on_in_future, receipt_invalid, receipt_used, "
        "bad_bill_count, one_household_per_payment or validation_error",
        403: "not_a_collector",
        404: "bill_not_found",
        409: "bill_not_payable: a bill is paid or in another payment; compound_archived",
    },
)
def record(body):
    return offline_payments.record(
        principal(),
        bill_ids=body["bill_ids"],
        method=body["method"],
        amount_fen=body["amount_fen"],
        paid_on=body["paid_on"],
        receipt_upload_id=body.get("receipt_photo"),
        note=body.get("note"),
    )


@bp.get("")
@bp.auth_required(auth)
@bp.input(OfflineQuery, location="query", arg_name="query")
@bp.output(OfflinePaymentListOut)
@bp.doc(summary="Offline payments of a compound (committee, supervisor)")
def list_payments(query):
    return {"items": offline_payments.pending_for(principal(), query["compound"], query["status"])}


@bp.post("/<int:payment_id>/confirm")
@bp.auth_required(auth)
@bp.output(OfflinePaymentOut)
@bp.doc(
    summary="Confirm (a second, different committee member): the bills are paid",
    responses={
        403: "committee_only, or same_person (the recorder)",
        409: "offline_payment_decided, bills_changed or compound_archived",
    },
)
def confirm(payment_id):
    return offline_payments.confirm(principal(), payment_id)


@bp.post("/<int:payment_id>/reject")
@bp.auth_required(auth)
@bp.input(RejectOfflineIn, arg_name="body")
@bp.output(OfflinePaymentOut)
@bp.doc(
    summary="Reject with a reason (a second committee member): the bills are unpaid again",
    responses={
        403: "committee_only, or same_person (the recorder)",
        409: "offline_payment_decided or compound_archived",
    },
)
def reject(payment_id, body):
    return offline_payments.reject(principal(), payment_id, body["reason"])
