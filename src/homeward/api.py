"""The JSON API: one Ninja instance, one router per domain app, errors translated at the edge."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from homeward import __version__
from homeward.accounts.api import router as accounts_router
from homeward.accounts.authentication import api_auth
from homeward.accounts.services import AccountError
from homeward.cases.api import router as cases_router
from homeward.cases.catalogue import CatalogueError
from homeward.cases.documents import DocumentRefused
from homeward.cases.letters import LetterNotAvailable
from homeward.cases.services import ActionRefused, CaseError
from homeward.cases.workflow import TransitionRefused
from homeward.core.api import router as core_router
from homeward.core.versioning import StaleObjectError
from homeward.mineaction.api import router as mineaction_router
from homeward.mineaction.map_layers import BadBoundingBox
from homeward.places.api import router as places_router
from homeward.recovery.api import router as recovery_router
from homeward.recovery.services import RecoveryError
from homeward.registry.api import router as registry_router
from homeward.registry.services import RegistryInputError
from homeward.returns.api import router as returns_router

api = NinjaAPI(
    title="Homeward API",
    version=__version__,
    description="Post-conflict recovery: places, mine action, recovery, returns and casework. "
    "Authenticate with a personal access token: `Authorization: Bearer hw_…`.",
    auth=api_auth,
    urls_namespace="api",
)
api.add_router("/", core_router)
api.add_router("/", accounts_router)
api.add_router("/", places_router)
api.add_router("/", registry_router)
api.add_router("/", mineaction_router)
api.add_router("/", recovery_router)
api.add_router("/", returns_router)
api.add_router("/", cases_router)


@api.exception_handler(BadBoundingBox)
def bad_bbox(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc), "field": "bbox"}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "You may not do this."}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(StaleObjectError)
def stale(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(AccountError)
def account_error(request: HttpRequest, exc: AccountError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc), "field": exc.field}, status=422)


@api.exception_handler(RegistryInputError)
def registry_error(request: HttpRequest, exc: RegistryInputError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=422)


@api.exception_handler(RecoveryError)
def recovery_error(request: HttpRequest, exc: RecoveryError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=422)


# Casework: a refusal names the field at fault (and, for a document, the reason code and its
# parameters); a step the state does not allow, or a letter not yet available, is a conflict; a
# rule that forbids the user is a 403 that says which rule. Ninja picks the most specific handler.
@api.exception_handler(CaseError)
def case_error(request: HttpRequest, exc: CaseError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=422)


@api.exception_handler(DocumentRefused)
def document_refused(request: HttpRequest, exc: DocumentRefused) -> HttpResponse:
    body = {"detail": exc.message, "field": exc.field, "reason": exc.reason_code, "params": exc.params}
    return api.create_response(request, body, status=422)


@api.exception_handler(LetterNotAvailable)
def letter_not_available(request: HttpRequest, exc: LetterNotAvailable) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=409)


@api.exception_handler(CatalogueError)
def catalogue_error(request: HttpRequest, exc: CatalogueError) -> HttpResponse:
    body = {"detail": str(exc), "service": exc.service, "field": exc.field}
    return api.create_response(request, body, status=422)


@api.exception_handler(TransitionRefused)
def transition_refused(request: HttpRequest, exc: TransitionRefused) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc), "field": "state", "state": exc.current}, status=409)


@api.exception_handler(ActionRefused)
def action_refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=403)
