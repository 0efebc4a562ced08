"""The writer of proposals and beamtimes (REST API, SciCat API, imports call it).

``proposal_create(*, data, actor)``, ``proposal_update(*, proposal, data, actor)``,
``beamtime_create(*, data, actor)``, ``beamtime_update(*, beamtime, data, actor)``.
``data`` has the shape the API's GET answers (``catalogue.api.context``); unknown keys and bad
values raise ``DatasetInputError`` keyed by field; an actor who is neither a curator nor in
``settings.INGESTOR_GROUP`` raises ``PermissionError``; ``actor=None`` is the system. A change
that the records naming the proposal show (its title, for example) marks them changed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime

from catalogue.access import user_may_manage_proposals
from catalogue.models import Beamtime, Facility, Instrument, Proposal
from catalogue.services.context import context_record_changed
from catalogue.services.errors import DatasetInputError

PROPOSAL_KEYS = {"facility", "proposal_id", "title", "abstract", "principal_investigator",
                 "proposal_type"}  # fmt: skip
BEAMTIME_KEYS = {"facility", "proposal_id", "beamtime_id", "instrument", "start", "end"}
READ_ONLY = {"id", "url"}


def _check_actor(actor) -> None:
    if actor is not None and not user_may_manage_proposals(actor):
        raise PermissionError("Only curators and ingestor accounts may change proposals.")


def _check_keys(data: Any, allowed: set[str]) -> dict:
    if not isinstance(data, dict):
        raise DatasetInputError("Send a JSON object.")
    unknown = sorted(set(data) - allowed - READ_ONLY)
    if unknown:
        raise DatasetInputError({k: ["Unknown field."] for k in unknown})
    return data


def _text(data: dict, key: str, errors: dict) -> str | None:
    if key not in data:
        return None
    value = data[key]
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[key] = ["Must be a string."]
        return None
    return value


def _validate(obj, errors: dict) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault("__all__" if field == "__all__" else field, []).extend(messages)
    if errors:
        raise DatasetInputError(errors)


def _apply_proposal(proposal: Proposal, data: dict, errors: dict, *, creating: bool) -> None:
    if "facility" in data:
        if not creating:
            errors["facility"] = ["A proposal stays at its facility."]
        else:
            code = data["facility"]
            facility = Facility.objects.filter(code=code).first() if isinstance(code, str) else None
            if facility is None:
                errors["facility"] = ["No facility has this code."]
            else:
                proposal.facility = facility
    elif creating:
        errors["facility"] = ["Name the facility (its code)."]
    if "proposal_id" in data and not creating and data["proposal_id"] != proposal.proposal_id:
        errors["proposal_id"] = ["The proposal id never changes."]
    for key in ("proposal_id", "title", "abstract", "principal_investigator", "proposal_type"):
        value = _text(data, key, errors)
        if value is not None:
            setattr(proposal, key, value)


def proposal_create(*, data: dict, actor) -> Proposal:
    _check_actor(actor)
    data = _check_keys(data, PROPOSAL_KEYS)
    errors: dict[str, list[str]] = {}
    proposal = Proposal()
    _apply_proposal(proposal, data, errors, creating=True)
    if errors:
        raise DatasetInputError(errors)
    _validate(proposal, errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                proposal.save()
        except IntegrityError:
            raise DatasetInputError(
                {"proposal_id": ["This facility already has a proposal with this id."]}
            ) from None
    return proposal


def proposal_update(*, proposal: Proposal, data: dict, actor) -> Proposal:
    _check_actor(actor)
    data = _check_keys(data, PROPOSAL_KEYS)
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        before = (proposal.title, proposal.abstract, proposal.principal_investigator,
                  proposal.proposal_type)  # fmt: skip
        _apply_proposal(proposal, data, errors, creating=False)
        _validate(proposal, errors)
        after = (proposal.title, proposal.abstract, proposal.principal_investigator,
                 proposal.proposal_type)  # fmt: skip
        if before != after:
            proposal.save()
            context_record_changed(obj=proposal)
    return proposal


def _apply_beamtime(beamtime: Beamtime, data: dict, errors: dict, *, creating: bool) -> None:
    if creating:
        code, pid = data.get("facility"), data.get("proposal_id")
        if not isinstance(code, str) or not isinstance(pid, str):
            errors["proposal_id"] = ["Name the proposal: facility (code) and proposal_id."]
        else:
            proposal = Proposal.objects.filter(facility__code=code, proposal_id=pid).first()
            if proposal is None:
                errors["proposal_id"] = [f"No proposal {pid!r} at {code!r}."]
            else:
                beamtime.proposal = proposal
    else:
        for key in ("facility", "proposal_id"):
            if (
                key in data
                and data[key]
                != getattr(
                    beamtime.proposal, "proposal_id" if key == "proposal_id" else "facility_id"
                )
                and not (key == "facility" and data[key] == beamtime.proposal.facility.code)
            ):
                errors[key] = ["A beamtime stays with its proposal."]
    if "beamtime_id" in data:
        if not creating and data["beamtime_id"] != beamtime.beamtime_id:
            errors["beamtime_id"] = ["The beamtime id never changes."]
        value = _text(data, "beamtime_id", errors)
        if value is not None:
            beamtime.beamtime_id = value
    if "instrument" in data:
        ref = data["instrument"]
        if ref in (None, ""):
            beamtime.instrument = None
        elif not isinstance(ref, str):
            errors["instrument"] = ["Give the instrument's code."]
        else:
            beamtime.instrument = Instrument.objects.filter(code=ref).first()
            if beamtime.instrument is None:
                errors["instrument"] = ["No instrument has this code."]
    for key in ("start", "end"):
        if key in data:
            value = data[key]
            parsed = parse_datetime(value) if isinstance(value, str) else None
            if parsed is None or parsed.tzinfo is None:
                errors[key] = ["Give an ISO 8601 date-time with a time zone."]
            else:
                setattr(beamtime, key, parsed)
        elif creating:
            errors[key] = ["This field is required."]


def beamtime_create(*, data: dict, actor) -> Beamtime:
    _check_actor(actor)
    data = _check_keys(data, BEAMTIME_KEYS)
    errors: dict[str, list[str]] = {}
    beamtime = Beamtime()
    try:
        _apply_beamtime(beamtime, data, errors, creating=True)
    except ValueError:
        errors.setdefault("__all__", []).append("Invalid value.")
    if errors:
        raise DatasetInputError(errors)
    _validate(beamtime, errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                beamtime.save()
        except IntegrityError:
            raise DatasetInputError(
                {"beamtime_id": ["This proposal already has a beamtime with this id."]}
            ) from None
    return beamtime


def beamtime_update(*, beamtime: Beamtime, data: dict, actor) -> Beamtime:
    _check_actor(actor)
    data = _check_keys(data, BEAMTIME_KEYS)
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        beamtime = (
            Beamtime.objects.select_for_update(of=("self",))
            .select_related("proposal__facility")
            .get(pk=beamtime.pk)
        )
        before = (beamtime.instrument_id, beamtime.start, beamtime.end)
        _apply_beamtime(beamtime, data, errors, creating=False)
        if errors:
            raise DatasetInputError(errors)
        _validate(beamtime, errors)
        if before != (beamtime.instrument_id, beamtime.start, beamtime.end):
            beamtime.save()
            context_record_changed(obj=beamtime)
    return beamtime
