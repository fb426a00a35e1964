"""The monthly disclosure (月度公示): frozen by the committee, signed off or objected to
by the finance supervisor, published to every household, printed, and checked against
the ledger by anyone who scans its paper."""

from apiflask import APIBlueprint
from flask import Response

from server.api.schemas.disclosures import (
    DisclosureCreateIn,
    DisclosureListOut,
    DisclosureObjectIn,
    DisclosureOut,
    VerifyOut,
)
from server.api.security import auth, caller_key, principal
from server.database.read import replica_reads
from server.extensions import limiter
from server.services.disclosures import decisions, freeze, views

bp = APIBlueprint("disclosures", __name__, url_prefix="/api/v1", tag="Disclosures")

VERIFY_RATE = "60/minute"
PDF_RESPONSE = {"description": "an A4 PDF in Chinese", "content": {"application/pdf": {}}}


@bp.post("/compounds/<string(maxlength=32):code>/disclosures")
@bp.auth_required(auth)
@bp.input(DisclosureCreateIn, arg_name="body")
@bp.output(DisclosureOut, status_code=201)
@bp.doc(
    summary="Freeze a month's money from the ledger as a draft disclosure, or a corrected "
    "version of the latest one (committee)",
    responses={
        400: "bad_month (not YYYY-MM, or a month not begun), changes_required, too_long",
        403: "committee_only",
        404: "compound_not_found",
        409: "disclosure_exists, not_latest, compound_archived",
    },
)
def create(code, body):
    disclosure = freeze.create(
        principal(), code, body["month"], body.get("corrects"), body.get("changes")
    )
    return views.detail(principal(), disclosure.id)


@bp.get("/compounds/<string(maxlength=32):code>/disclosures")
@bp.auth_required(auth)
@bp.output(DisclosureListOut)
@bp.doc(
    summary="The compound's disclosures, newest first: published ones for residents, every "
    "version for the committee and the supervisor",
    responses={404: "compound_not_found"},
)
def list_disclosures(code):
    return {"items": views.listing(principal(), code)}


@bp.get("/disclosures/<int:disclosure_id>")
@bp.auth_required(auth)
@bp.output(DisclosureOut)
@bp.doc(
    summary="A disclosure: each fund's opening, income lines, expense lines and closing "
    "(residents once published; committee and supervisor also before)",
    responses={404: "disclosure_not_found"},
)
def detail(disclosure_id):
    return views.detail(principal(), disclosure_id)


@bp.get("/disclosures/<int:disclosure_id>.pdf")
@bp.auth_required(auth)
@replica_reads
@bp.doc(
    summary="The disclosure as a printable A4 PDF with a QR code of its verify address",
    responses={200: PDF_RESPONSE, 404: "disclosure_not_found"},
)
def paper(disclosure_id):
    data, filename = views.paper(principal(), disclosure_id)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@bp.post("/disclosures/<int:disclosure_id>/sign-off")
@bp.auth_required(auth)
@bp.output(DisclosureOut)
@bp.doc(
    summary="The finance supervisor signs a draft off (draft → signed)",
    responses={
        403: "supervisor_only, same_person",
        404: "disclosure_not_found",
        409: "bad_status, not_latest (a newer version exists), compound_archived",
    },
)
def sign_off(disclosure_id):
    decisions.sign_off(principal(), disclosure_id)
    return views.detail(principal(), disclosure_id)


@bp.post("/disclosures/<int:disclosure_id>/object")
@bp.auth_required(auth)
@bp.input(DisclosureObjectIn, arg_name="body")
@bp.output(DisclosureOut)
@bp.doc(
    summary="The finance supervisor objects, with a reason (→ objected; the committee "
    "then makes a corrected version)",
    responses={
        400: "too_long, required",
        403: "supervisor_only",
        404: "disclosure_not_found",
        409: "bad_status, not_latest (a newer version exists), compound_archived",
    },
)
def object_to(disclosure_id, body):
    decisions.object_to(principal(), disclosure_id, body["reason"])
    return views.detail(principal(), disclosure_id)


@bp.post("/disclosures/<int:disclosure_id>/publish")
@bp.auth_required(auth)
@bp.output(DisclosureOut)
@bp.doc(
    summary="The committee publishes a signed disclosure to every household (the version "
    "it corrects is superseded)",
    responses={
        403: "committee_only",
        404: "disclosure_not_found",
        409: "bad_status, not_latest (a newer version exists), compound_archived",
    },
)
def publish(disclosure_id):
    decisions.publish(principal(), disclosure_id)
    return views.detail(principal(), disclosure_id)


@bp.get("/disclosures/<int:disclosure_id>/verify")
@limiter.limit(VERIFY_RATE, key_func=caller_key)  # open to anyone, and it recomputes a month
@bp.auth_required(auth, optional=True)
@replica_reads
@bp.output(VerifyOut)
@bp.doc(
    summary="Check a disclosure against the ledger: its figures recomputed and the hash "
    "chain up to its head (anyone, no sign-in, once published; committee and supervisor "
    "also before)",
    responses={404: "disclosure_not_found", 429: "too_many_requests"},
)
def verify(disclosure_id):
    return views.verification(principal(), disclosure_id)
