"""The newsletter ad's link: `/ads/click/<id>?mail=<signature>`, signed for that campaign.

A link followed from a mail is never same-site (webmail is another site, a mail program opens
the browser on no site at all), so the rule that counts only clicks from the site's own pages
would count none of them. The signature tells the click view that this address came out of a
mail the site sent: only then is a reader's navigation from another site, or from none, billed.
It names the campaign alone, never the subscriber: a click is counted, not whose it was.
"""

from django.core import signing

_SIGNER = signing.Signer(salt="dateline.ads.mail-click")


def mail_click_query(campaign_pk: int) -> str:
    return "mail=" + _SIGNER.signature(str(campaign_pk))


def from_mail(campaign_pk: int, signature: str | None) -> bool:
    """Whether `signature` is the one the newsletter's link to this campaign carries."""
    if not signature or len(signature) > 100:
        return False
    try:
        _SIGNER.unsign(f"{campaign_pk}{_SIGNER.sep}{signature}")
    except signing.BadSignature:
        return False
    return True
