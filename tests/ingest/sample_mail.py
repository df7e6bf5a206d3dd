"""E-mails as agencies send partner copy, built from real corpus stories (BBC News 2004-05)."""

import json
from email.message import EmailMessage
from email.utils import format_datetime

from tests.ingest.sample_feeds import stories


def story_mail(record: dict, *, sender: str = "Agence Exemple <desk@agency.example>",
               html: bool = False) -> bytes:
    """One story as the mail itself: subject, text (or HTML only), date, Message-ID."""
    message = EmailMessage()
    message["Subject"] = record["title"]
    message["From"] = sender
    message["To"] = "wire@newsroom.example"
    message["Date"] = format_datetime(record["date"].astimezone())
    message["Message-ID"] = f"<{record['id']}@agency.example>"
    if html:
        paragraphs = "".join(f"<p>{text}</p>" for text in record["body"].split("\n\n"))
        message.set_content(f"<html><body>{paragraphs}<script>alert(1)</script></body></html>",
                            subtype="html")
    else:
        message.set_content(record["body"])
    return bytes(message)


def ninjs(record: dict) -> dict:
    return {"uri": f"urn:agency.example:{record['id']}", "type": "text",
            "headline": record["title"], "body_text": record["body"],
            "versioncreated": record["date"].isoformat()}


def mail_with_ninjs(records: list[dict]) -> bytes:
    """A cover note with each story attached as a ninjs file, as a wire's mailer sends."""
    message = EmailMessage()
    message["Subject"] = f"{len(records)} stories attached"
    message["From"] = "Wire robot <robot@agency.example>"
    message["Date"] = format_datetime(records[0]["date"])
    message["Message-ID"] = "<batch-1@agency.example>"
    message.set_content("Today's stories are attached as ninjs.")
    for record in records:
        message.add_attachment(json.dumps(ninjs(record)).encode(), maintype="application",
                               subtype="json", filename=f"{record['id']}.json")
    return bytes(message)


def sample(count: int = 2) -> list[bytes]:
    return [story_mail(record) for record in stories(count)]
