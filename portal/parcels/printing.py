"""A parcel with its outline and contracts as a printed sheet."""
from __future__ import annotations

from datetime import date

from flask import Response
from markupsafe import Markup

from portal.contracts import labels as contract_labels
from portal.contracts import reads as contract_reads
from portal.parcels import labels as parcel_labels
from portal.parcels import reads as parcel_reads
from portal.publishing.printing import record_response, versions_of
from portal.publishing.sheets import Checkpoint, latest_change, record_pdf


def parcel_pdf(detail: parcel_reads.ParcelDetail, as_of: date, outline: Markup | None,
               extent: list[str] | None, page_url: str, checkpoint: Checkpoint) -> bytes:
    """A parcel as an A4 notice: its facts and status, its outline (when surveyed), every contract
    on it (lessees masked); needs an app context."""
    asset = detail.asset
    return record_pdf(
        "print/parcel.html", detail, f"地块 {asset.number}", page_url, checkpoint,
        a=asset, s=detail.state, as_of=as_of, outline=outline, extent=extent,
        status=parcel_labels.PARCEL_STATUS[detail.state.status.value],
        kind=parcel_labels.ASSET_KIND.get(asset.kind.value, asset.kind.value),
        contract_state=lambda c: contract_labels.CONTRACT_STATUS[contract_reads.contract_state(c, as_of)],
        changed=latest_change(detail.history))


def parcel_response(detail: parcel_reads.ParcelDetail, as_of: date, outline: Markup | None,
                    extent: list[str] | None) -> Response:
    """/v/<code>/parcels/<number>.pdf, rendered once per parcel version, its contracts' versions,
    and day (which moves leased/expiring/vacant)."""
    return record_response("parcel", "parcels.parcel", detail, detail.asset, versions_of(detail.contracts), as_of,
                            lambda url, cp: parcel_pdf(detail, as_of, outline, extent, url, cp))
