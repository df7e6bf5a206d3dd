"""The newsletter's slot: chosen on the server once per edition's mail, not per reader.

A mail cannot ask /ads/pick, and a tracking pixel would be tracking: each mail the server took
with the ad counts one impression (a mail delivered, not a mail read); its link goes through
/ads/click like the site's, signed as the newsletter's (`mail_links`).
"""

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from dateline.newsroom.html import plain_text
from dateline.pictures.display import image_url
from dateline.readership.counting import count

from . import choice
from .creative import creative_for_mail
from .mail_links import mail_click_query
from .models import Campaign

_LABEL = ("margin: 1.5rem 0 .25rem; font-family: Helvetica, Arial, sans-serif; font-size: 11px; "
          "letter-spacing: .08em; text-transform: uppercase; color: #595959;")


@dataclass
class MailAd:
    campaign: int
    html: SafeString
    text: str
    # Impressions the campaign may still have (its cap less those counted); None: no cap.
    left: int | None = None

    @property
    def exhausted(self) -> bool:
        """Its cap is reached: the next mails go without it (the cap is what was bought)."""
        return self.left is not None and self.left <= 0

    def sent(self) -> None:
        """One mail carrying the ad was taken by the mail server."""
        count(choice.IMPRESSION, self.campaign)
        if self.left is not None:
            self.left -= 1


def newsletter_ad(site_url: str) -> MailAd | None:
    """The campaign for this edition's mail, as e-mail HTML and text with absolute links."""
    chosen = choice.pick("newsletter")
    if chosen is None:
        return None
    campaign = Campaign.objects.select_related("photo").get(pk=chosen.pk)
    # Signed: the click view counts a reader arriving from a mail only on this link.
    link = f"{site_url}{campaign.get_click_url()}?{mail_click_query(campaign.pk)}"
    found = image_url(campaign.photo, "free", 600) if campaign.photo_id else None
    if found:
        url, width, height = found
        inner = format_html(
            '<img src="{}" width="{}" height="{}" alt="{}" style="display: block; width: 100%; '
            'max-width: {}px; height: auto; border: 0;">', url, min(width, 600),
            round(height * min(width, 600) / width), campaign.alt_text or campaign.photo.alt_text,
            min(width, 600))
    else:
        inner = format_html('<span style="color: #1a1a1a;">{}</span>',
                            mark_safe(creative_for_mail(campaign.html, site_url)))
    html = format_html('<p style="{}">Advertisement</p><a href="{}" style="text-decoration: none;">'
                       '{}</a>', _LABEL, link, inner)
    # The creative's words as a mail program shows text: a block's or a line break's end parts
    # words, entities read as characters ("Spring sale All shoes", "Fish & Chips").
    words = campaign.alt_text or (campaign.photo.alt_text if campaign.photo_id
                                  else plain_text(campaign.html))
    left = None
    if campaign.impression_cap is not None:
        left = campaign.impression_cap - choice.impressions_of([campaign.pk]).get(campaign.pk, 0)
    return MailAd(campaign=campaign.pk, html=html, text=f"Advertisement: {words} {link}",
                  left=left)
