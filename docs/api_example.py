"""Create a tasker, move it through its workflow and read it back through the REST API.

    EXECCOORD_URL=http://127.0.0.1:8000 EXECCOORD_TOKEN=ec_… python docs/api_example.py

The token is a manager's (the demo's ``manager``, from the user menu → API tokens): the
tasker is issued from their unit, so they may assign, issue, decide and return it. Only the
standard library is used.
"""

import datetime
import json
import os
import urllib.error
import urllib.request

BASE = os.environ.get("EXECCOORD_URL", "http://127.0.0.1:8000").rstrip("/") + "/api/v1"
TOKEN = os.environ["EXECCOORD_TOKEN"]


def call(method, path, body=None):
    """``method`` ``path`` with the token; the JSON answer (a problem raises, printed)."""
    request = urllib.request.Request(
        BASE + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as refused:
        problem = json.load(refused)
        print(f"  {method} {path}: {problem['status']} {problem['detail']}")
        raise


def move(tasker, target, comment=""):
    moved = call(
        "POST", f"/taskers/{tasker['id']}/transition/", {"target": target, "comment": comment}
    )
    print(f"  → {moved['status']}")
    return moved


today = datetime.date.today()
kinds = call("GET", "/executive-action-types/?page_size=100")["results"]
kind = next(
    k
    for k in kinds
    if not (
        k["requires_legal_authority"]
        or k["requires_impact_assessment"]
        or k["requires_risk_assessment"]
    )
)
tasker = call(
    "POST",
    "/taskers/",
    {
        "title": "Brief the Deputy Secretary on the API",
        "action_type": kind["id"],
        "due_date": (today + datetime.timedelta(days=30)).isoformat(),
        "description": "Made by docs/api_example.py.",
    },
)
print(f"Created {tasker['number']} ({tasker['status']}), version {tasker['version']}")

# the lead is the issuing unit itself, the accountable person the issuer
tasker = call(
    "POST",
    f"/taskers/{tasker['id']}/assign/",
    {
        "version": tasker["version"],
        "lead_unit": tasker["issuing_unit"],
        "accountable_person": tasker["issued_by"],
    },
)
print(f"Assigned to unit {tasker['lead_unit']}")
tasker = move(tasker, "not_started", "Issued through the API")
tasker = move(tasker, "in_progress")
update = call(
    "POST",
    f"/taskers/{tasker['id']}/updates/",
    {"key_accomplishments": "Outline drafted.", "health": "on_track", "percent_complete": 40},
)
print(f"Status update {update['id']} posted")
wanted = (today + datetime.timedelta(days=44)).isoformat()
extension = call(
    "POST",
    f"/taskers/{tasker['id']}/extensions/",
    {"requested_due_date": wanted, "justification": "Waiting for the budget office."},
)
call(
    "POST",
    f"/taskers/{tasker['id']}/extensions/{extension['id']}/decide/",
    {"decision": "approve", "comment": "Agreed."},
)
print(f"Extension to {wanted} approved")
tasker = move(tasker, "submitted", "Draft for review")
tasker = move(tasker, "returned", "Add the cost table")

found = call("GET", f"/taskers/number/{tasker['number']}/")
print(
    f"Read back {found['number']}: {found['status']}, due {found['due_date']}, "
    f"{found['percent_complete']}% done, version {found['version']}"
)
try:  # an edit from the version first read is refused, naming what changed since
    call("PATCH", f"/taskers/{found['id']}/", {"notes": "stale", "version": 1})
except urllib.error.HTTPError as stale:
    assert stale.code == 409
