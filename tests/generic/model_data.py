"""Per-model inputs of the generic view tests (NetBox/Nautobot ``form_data`` tables).

``MODELS`` maps each registered model to its factory, the text field the edit test changes,
and a required field the invalid-form test blanks.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from actions.demo import actions as fa
from actions.demo import analysis as fan
from actions.demo import partners as fp
from tests.form_support import put_value

MODELS = {
    "partners.organizationunittype": (fp.OrganizationUnitTypeFactory, "name", "name"),
    "partners.organizationunit": (fp.OrganizationUnitFactory, "name", "name"),
    "partners.person": (fp.PersonFactory, "job_title", "last_name"),
    "partners.account": (fp.AccountFactory, "city", "name"),
    "partners.agreement": (fp.AgreementFactory, "name", "name"),
    "analysis.legalauthority": (fan.LegalAuthorityFactory, "citation", "name"),
    "analysis.analysis": (fan.AnalysisFactory, "name", "name"),
    "analysis.impact": (fan.ImpactFactory, "name", "name"),
    "analysis.riskitem": (fan.RiskItemFactory, "name", "name"),
    "actions.executiveactiontype": (fa.ExecutiveActionTypeFactory, "description", "name"),
    "actions.tag": (fa.TagFactory, "name", "name"),
    "actions.executiveaction": (fa.ExecutiveActionFactory, "title", "title"),
    "actions.assignment": (fa.AssignmentFactory, "response", "organization_unit"),
    "actions.statusupdate": (fa.StatusUpdateFactory, "next_steps", "status_date"),
    "actions.decisionlogentry": (fa.DecisionLogEntryFactory, "title", "title"),
    "actions.dependency": (fa.DependencyFactory, "description", "predecessor"),
    "actions.extensionrequest": (fa.ExtensionRequestFactory, "justification", "justification"),
    "actions.duedatechange": (fa.DueDateChangeFactory, "reason", "action"),
    "actions.attachment": (fa.AttachmentFactory, "title", "title"),
    "actions.routestep": (fa.RouteStepFactory, "position", "kind"),
    "actions.routestepevent": (fa.RouteStepEventFactory, "text", "kind"),
    "actions.processtemplate": (fa.ProcessTemplateFactory, "description", "name"),
    "actions.templatesubtasker": (fa.TemplateSubtaskerFactory, "title_pattern", "title_pattern"),
    "actions.templateroutestep": (fa.TemplateRouteStepFactory, "instructions", "kind"),
}


def form_data(form_class, obj, user, *, new=False):
    """The POST data that re-submits ``obj`` unchanged through ``form_class``.

    Args:
        form_class: the registration's form.
        obj: a saved record.
        user: who submits (scopes the pickers and, through the write policy, the fields).
        new: the data of the create form (the fields a new record takes) with ``obj``'s
            values.
    """
    if new:
        pk, obj.pk = obj.pk, None
        try:
            form = form_class(instance=obj, user=user)
        finally:
            obj.pk = pk
    else:
        form = form_class(instance=obj, user=user)
    data, files = {}, {}
    for name in form.fields:
        value = form[name].value()
        if hasattr(value, "url") or name == "file":  # a stored file: upload a fresh copy
            files[name] = SimpleUploadedFile("memo.pdf", b"%PDF-1.4\n% memo\n", "application/pdf")
        else:
            put_value(data, name, value)
    return data, files
