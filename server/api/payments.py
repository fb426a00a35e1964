"""Paying with WeChat Pay: create an order, ask how it went, and WeChat's notification."""

from apiflask import APIBlueprint
from flask import Response, request

from server.api.schemas.money import (
    PaymentCreatedOut,
    PaymentIn,
    PaymentListOut,
    PaymentStatusOut,
)
from server.api.security import auth, principal
from server.services.money import pay_notifications, payment_cancel, payments

bp = APIBlueprint("payments", __name__, url_prefix="/api/v1/payments", tag="Fees")


@bp.post("")
@bp.auth_required(auth)
@bp.input(PaymentIn, arg_name="body")
@bp.output(PaymentCreatedOut, status_code=201)
@bp.doc(
    summary="Open a WeChat Pay order for unpaid bills of my household",
    responses={
        400: "nothing_to_pay, bad_bill_count, one_household_per_payment or validation_error",
        404: "bill_not_found: not a bill of my households",
        409: "bill_not_payable: a bill is paid or in another payment; compound_archived "
        "(also for an order opened before archiving)",
        503: "pay_unavailable, or pay_not_configured (no merchant)",
    },
)
def create(body):
    return payments.create_payment(
        principal(), body["bill_ids"], request.remote_addr or "127.0.0.1"
    )


@bp.get("")
@bp.auth_required(auth)
@bp.output(PaymentListOut)
@bp.doc(summary="My households' payments, newest first")
def history():
    return {"items": payments.payments_of(principal())}


@bp.get("/<int:payment_id>")
@bp.auth_required(auth)
@bp.output(PaymentStatusOut)
@bp.doc(summary="How a payment stands (ask after wx.requestPayment: its callback proves nothing)")
def get_payment(payment_id):
    return payments.payment_for(principal(), payment_id)


@bp.post("/<int:payment_id>/cancel")
@bp.auth_required(auth)
@bp.output(PaymentStatusOut)
@bp.doc(
    summary="Cancel an open order (its payer; a liaison of the unit or the committee, to "
    "take cash): closed at WeChat Pay first, its bills freed; an order younger than "
    "5 minutes is cancelling until closes_at",
    responses={
        403: "not the payer, the unit's liaison or the committee",
        409: "already paid (credited now if need be), being paid, closed or disputed",
        503: "WeChat Pay unavailable",
    },
)
def cancel(payment_id):
    return payment_cancel.cancel(principal(), payment_id)


@bp.post("/wechat/notify")
@bp.post("/wechat/notify/<string(maxlength=32):merchant>")
@bp.doc(hide=True)
def wechat_notify(merchant=None):
    """WeChat Pay's payment notification (v2 XML or v3 JSON, as the merchant speaks)."""
    answer = pay_notifications.answer(
        request.content_length,
        lambda: request.get_data(cache=False),
        dict(request.headers),
        merchant,
    )
    return Response(answer.body, mimetype=answer.mimetype, status=answer.status)
