"""Import/export columns of legal authorities (issue 9).

Natural key of an authority: its citation ("5 U.S.C. 552"); an authority without a citation
is matched by its name instead. References to authorities (parent, an action's authorities)
use the same key: the citation, or the name when the citation is empty.
"""

from execcoord.imports import ACTIVE, VERSION, BaseResource, Column, KeyMap, _text, register
from partners.resources import ACCOUNT

from .models import LegalAuthority

AUTHORITY = KeyMap(
    LegalAuthority, lambda authority: authority.citation or authority.name, "legal authority"
)


@register("legal-authorities")
class LegalAuthorityResource(BaseResource):
    """Legal authorities, matched by citation (by name when the citation is empty)."""

    help_text = (
        "Matched by Citation; an authority without a citation is matched by Name. "
        "Other files refer to an authority the same way."
    )
    key = AUTHORITY
    columns = [
        Column("citation", "Citation", required=True, example="88 FR 75191"),
        Column("name", "Name", required=True, example="Executive Order 14110"),
        Column("authority_type", "Authority type", example="Executive Order"),
        Column("status", "Status", example="In effect"),
        Column("jurisdiction_level", "Jurisdiction level", example="Federal"),
        Column("document_number", "Document number", example="2023-24283"),
        Column("executive_order_number", "Executive order number", example="14110"),
        Column("issuing_body", "Issuing body (account name)", ACCOUNT),
        Column("parent", "Parent authority (citation or name)", AUTHORITY),
        Column("signing_date", "Signing date", example="2023-10-30"),
        Column("publication_date", "Publication date", example="2023-11-01"),
        Column("effective_date", "Effective date", example="2023-10-30"),
        Column("expiration_date", "Expiration date"),
        Column("summary", "Summary"),
        Column("full_text_url", "Full text URL"),
        Column("public_url", "Public URL"),
        Column("disposition_notes", "Disposition notes"),
        ACTIVE,
        VERSION,
    ]

    def row_key(self, row):
        return _text(row.get("Citation")) or _text(row.get("Name"))
