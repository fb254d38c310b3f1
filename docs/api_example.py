"""Create a tasker, move it through its whole workflow to Completed and read it back through
the REST API.

    EXECCOORD_URL=http://127.0.0.1:8000 EXECCOORD_TOKEN=ec_… python docs/api_example.py

The token is a manager's (the demo's ``manager``, from the user menu → API tokens): the
tasker is issued from their unit, so they may assign, issue, decide, return and approve it.
Only the standard library is used. ``tests/test_api_example.py`` runs it against a live
server.
"""

import datetime
import json
import os
import urllib.error
import urllib.request
import uuid

RESPONSE_MEMO = b"%PDF-1.4\n% The response memo, with the cost table.\n"


class Api:
    """The API at ``base`` (``…/api/v1``) with a token."""

    def __init__(self, url, token, say=print):
        self.base = url.rstrip("/") + "/api/v1"
        self.token = token
        self.say = say

    def call(self, method, path, body=None, *, files=None):
        """``method`` ``path`` with the token; the JSON answer (a problem raises, printed).
        ``files`` (``{name: (filename, bytes, type)}``) sends ``body`` and them as
        ``multipart/form-data``, as a browser's form does."""
        if files is not None:
            data, content_type = multipart(body or {}, files)
        else:
            data = json.dumps(body).encode() if body is not None else None
            content_type = "application/json"
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=data,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": content_type},
        )
        try:
            with urllib.request.urlopen(request) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as refused:
            problem = json.load(refused)
            self.say(f"  {method} {path}: {problem['status']} {problem['detail']}")
            raise

    def download(self, url):
        """The bytes and headers of a ``download`` link."""
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(request) as answer:
            return answer.read(), answer.headers

    def move(self, tasker, target, comment=""):
        moved = self.call(
            "POST", f"/taskers/{tasker['id']}/transition/", {"target": target, "comment": comment}
        )
        self.say(f"  → {moved['status']}")
        return moved


def multipart(fields, files):
    """``(body, Content-Type)`` of a ``multipart/form-data`` request."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, content, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main(api):
    """The whole life of a tasker; returns it as read back at the end."""
    say = api.say
    today = datetime.date.today()
    kinds = api.call("GET", "/executive-action-types/?page_size=100")["results"]
    kind = next(
        k
        for k in kinds
        if not (
            k["requires_legal_authority"]
            or k["requires_impact_assessment"]
            or k["requires_risk_assessment"]
        )
    )
    tasker = api.call(
        "POST",
        "/taskers/",
        {
            "title": "Brief the Deputy Secretary on the API",
            "action_type": kind["id"],
            "due_date": (today + datetime.timedelta(days=30)).isoformat(),
            "description": "Made by docs/api_example.py.",
        },
    )
    say(f"Created {tasker['number']} ({tasker['status']}), version {tasker['version']}")

    # the lead is the issuing unit itself, the accountable person the issuer
    tasker = api.call(
        "POST",
        f"/taskers/{tasker['id']}/assign/",
        {
            "version": tasker["version"],
            "lead_unit": tasker["issuing_unit"],
            "accountable_person": tasker["issued_by"],
        },
    )
    say(f"Assigned to unit {tasker['lead_unit']}")
    tasker = api.move(tasker, "not_started", "Issued through the API")
    tasker = api.move(tasker, "in_progress")
    update = api.call(
        "POST",
        f"/taskers/{tasker['id']}/updates/",
        {"key_accomplishments": "Outline drafted.", "health": "on_track", "percent_complete": 40},
    )
    say(f"Status update {update['id']} posted")
    wanted = (today + datetime.timedelta(days=44)).isoformat()
    extension = api.call(
        "POST",
        f"/taskers/{tasker['id']}/extensions/",
        {"requested_due_date": wanted, "justification": "Waiting for the budget office."},
    )
    api.call(
        "POST",
        f"/taskers/{tasker['id']}/extensions/{extension['id']}/decide/",
        {"decision": "approve", "comment": "Agreed."},
    )
    say(f"Extension to {wanted} approved")
    tasker = api.move(tasker, "submitted", "Draft for review")
    tasker = api.move(tasker, "returned", "Add the cost table")
    tasker = api.move(tasker, "in_progress", "Adding the cost table")

    # completing needs the response attached (the close-out checklist)
    attachment = api.call(
        "POST",
        f"/taskers/{tasker['id']}/attachments/",
        {"title": "Response memo", "kind": "response"},
        files={"file": ("response.pdf", RESPONSE_MEMO, "application/pdf")},
    )
    say(f"Attached “{attachment['title']}” ({attachment['size']} bytes)")
    content, headers = api.download(attachment["download"])
    assert content == RESPONSE_MEMO, "the file downloaded is not the file uploaded"
    say(f"Downloaded it back: {headers['Content-Type']}, {len(content)} bytes")
    tasker = api.move(tasker, "submitted", "With the cost table")
    tasker = api.move(tasker, "completed", "Approved")

    found = api.call("GET", f"/taskers/number/{tasker['number']}/")
    say(
        f"Read back {found['number']}: {found['status']} on {found['completed_date']}, "
        f"due {found['due_date']}, {found['percent_complete']}% done, version {found['version']}"
    )
    files = api.call("GET", f"/attachments/?action_id={found['id']}")["results"]
    say(f"Its attachments: {', '.join(f['title'] for f in files)}")
    try:  # an edit from the version first read is refused, naming what changed since
        api.call("PATCH", f"/taskers/{found['id']}/", {"notes": "stale", "version": 1})
    except urllib.error.HTTPError as stale:
        assert stale.code == 409
    return found


if __name__ == "__main__":
    url = os.environ.get("EXECCOORD_URL", "http://127.0.0.1:8000")
    main(Api(url, os.environ["EXECCOORD_TOKEN"]))
