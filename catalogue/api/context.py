"""REST API v1: the context records name (facilities, instruments, PaNET techniques,
proposals, beamtimes). Readable by everyone; proposals and beamtimes writable by curators and
accounts in ``settings.INGESTOR_GROUP`` through ``catalogue.services.proposals``."""

from __future__ import annotations

from django.http import Http404
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue.api.base import PortalAPIView, PortalCursorPagination
from catalogue.models import Beamtime, Facility, Instrument, Proposal, Technique
from catalogue.services import proposals as writer
from portal.idempotency import idempotent


def facility_json(f: Facility) -> dict:
    return {
        "code": f.code,
        "name": f.name,
        "short_name": f.short_name or None,
        "ror": f.ror or None,
        "url": f.url or None,
        "description": f.description or None,
    }


def instrument_json(i: Instrument) -> dict:
    return {"code": i.code, "name": i.name, "pid": i.pid or None, "facility": i.facility.code,
            "url": i.url or None, "description": i.description or None}  # fmt: skip


def technique_json(t: Technique) -> dict:
    return {"iri": t.iri, "panet_id": t.panet_id, "label": t.label,
            "synonyms": list(t.synonyms or []), "definition": t.definition or None}  # fmt: skip


def proposal_json(p: Proposal) -> dict:
    return {"facility": p.facility.code, "proposal_id": p.proposal_id, "title": p.title,
            "abstract": p.abstract, "principal_investigator": p.principal_investigator,
            "proposal_type": p.proposal_type}  # fmt: skip


def beamtime_json(b: Beamtime) -> dict:
    return {"id": b.pk, "facility": b.proposal.facility.code,
            "proposal_id": b.proposal.proposal_id, "beamtime_id": b.beamtime_id,
            "instrument": b.instrument.code if b.instrument_id else None,
            "start": b.start.isoformat(), "end": b.end.isoformat()}  # fmt: skip


def _writer_call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from None


class ById(PortalCursorPagination):
    ordering = "id"


class FacilityList(PortalAPIView):
    """GET /api/v1/facilities"""

    def get(self, request: Request) -> Response:
        return Response([facility_json(f) for f in Facility.objects.order_by("code")])


class FacilityDetail(PortalAPIView):
    """GET /api/v1/facilities/<code>"""

    def get(self, request: Request, code: str) -> Response:
        facility = Facility.objects.filter(code=code).first()
        if facility is None:
            raise Http404("No such facility.")
        return Response(facility_json(facility))


class InstrumentList(PortalAPIView):
    """GET /api/v1/instruments?facility=<code>"""

    def get(self, request: Request) -> Response:
        qs = Instrument.objects.select_related("facility").order_by("code")
        if request.query_params.get("facility"):
            qs = qs.filter(facility__code=request.query_params["facility"])
        return Response([instrument_json(i) for i in qs])


class InstrumentDetail(PortalAPIView):
    """GET /api/v1/instruments/<code>"""

    def get(self, request: Request, code: str) -> Response:
        instrument = Instrument.objects.select_related("facility").filter(code=code).first()
        if instrument is None:
            raise Http404("No such instrument.")
        return Response(instrument_json(instrument))


class TechniqueList(PortalAPIView):
    """GET /api/v1/techniques?q=<label part>: the PaNET techniques the portal knows."""

    def get(self, request: Request) -> Response:
        qs = Technique.objects.order_by("label")
        if request.query_params.get("q"):
            qs = qs.filter(label__icontains=request.query_params["q"][:200])
        return Response([technique_json(t) for t in qs])


class ProposalList(PortalAPIView):
    """GET /api/v1/proposals?facility=<code> (cursor-paged); POST creates one."""

    def get(self, request: Request) -> Response:
        qs = Proposal.objects.select_related("facility")
        if request.query_params.get("facility"):
            qs = qs.filter(facility__code=request.query_params["facility"])
        paginator = ById()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([proposal_json(p) for p in page])

    def post(self, request: Request) -> Response:
        data = self.body(request)

        def create() -> Response:
            p = _writer_call(writer.proposal_create, data=data, actor=request.user)
            return Response(proposal_json(p), status=201)

        return idempotent(request, create)


def _proposal(facility: str, proposal_id: str) -> Proposal:
    p = Proposal.objects.select_related("facility").filter(
        facility__code=facility, proposal_id=proposal_id
    ).first()  # fmt: skip
    if p is None:
        raise Http404("No such proposal.")
    return p


class ProposalDetail(PortalAPIView):
    """GET/PATCH /api/v1/proposals/<facility>/<proposal_id>"""

    def get(self, request: Request, facility: str, proposal_id: str) -> Response:
        return Response(proposal_json(_proposal(facility, proposal_id)))

    def patch(self, request: Request, facility: str, proposal_id: str) -> Response:
        data = self.body(request)
        p = _writer_call(writer.proposal_update, proposal=_proposal(facility, proposal_id),
                         data=data, actor=request.user)  # fmt: skip
        return Response(proposal_json(p))


class BeamtimeList(PortalAPIView):
    """GET /api/v1/beamtimes?facility=&proposal= (cursor-paged); POST creates one."""

    def get(self, request: Request) -> Response:
        qs = Beamtime.objects.select_related("proposal__facility", "instrument")
        if request.query_params.get("facility"):
            qs = qs.filter(proposal__facility__code=request.query_params["facility"])
        if request.query_params.get("proposal"):
            qs = qs.filter(proposal__proposal_id=request.query_params["proposal"])
        paginator = ById()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([beamtime_json(b) for b in page])

    def post(self, request: Request) -> Response:
        data = self.body(request)

        def create() -> Response:
            b = _writer_call(writer.beamtime_create, data=data, actor=request.user)
            return Response(beamtime_json(b), status=201)

        return idempotent(request, create)


class BeamtimeDetail(PortalAPIView):
    """GET/PATCH /api/v1/beamtimes/<id>"""

    def _get(self, pk: int) -> Beamtime:
        b = (
            Beamtime.objects.select_related("proposal__facility", "instrument")
            .filter(pk=pk)
            .first()
        )
        if b is None:
            raise Http404("No such beamtime.")
        return b

    def get(self, request: Request, pk: int) -> Response:
        return Response(beamtime_json(self._get(pk)))

    def patch(self, request: Request, pk: int) -> Response:
        data = self.body(request)
        b = _writer_call(writer.beamtime_update, beamtime=self._get(pk), data=data,
                         actor=request.user)  # fmt: skip
        return Response(beamtime_json(b))
