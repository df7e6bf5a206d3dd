"""The desk: Django's admin site, whose door also asks for the two-factor code."""

from functools import update_wrapper
from urllib.parse import urlsplit

from django.contrib.admin import AdminSite
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from . import addresses, session, shortcuts, two_factor
from .login import DeskAuthenticationForm, DeskPasswordChangeForm


class DeskSite(AdminSite):
    """The admin, where an account that has (or must have) an authenticator shows its code."""

    site_header = site_title = "Dateline desk"
    index_title = "Newsroom"
    login_form = DeskAuthenticationForm
    login_template = "desk/login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        # Like OTPAdminSite, but only for accounts that have turned two-factor on or whose
        # role requires it.
        return super().has_permission(request) and not two_factor.needs_code(request.user)

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if (two_factor.must_enrol(request.user)
                    and request.path != reverse("admin:logout", current_app=self.name)):
                return redirect(reverse("admin:two_factor", current_app=self.name))
            if refused := addresses.refusal(request):
                return refused
            # A list's actions are its ModelAdmin's changelist_view (a bound method).
            if getattr(view, "__name__", "") == "changelist_view":
                addresses.without_impossible_rows(request, view.__self__.model)
            if (request.method == "POST" and not request.user.is_authenticated
                    and request.path != reverse("admin:logout", current_app=self.name)):
                # A form posted into a session that has ended: after the login, back to the
                # page it was sent from, where desk/unsent.js puts its text back, rather than
                # to the URL it was posted to (a note's answers only posts: a 405).
                return redirect_to_login(self.page_sent_from(request),
                                         reverse("admin:login", current_app=self.name))
            return guarded(request, *args, **kwargs)

        return update_wrapper(inner, guarded)

    def index(self, request: HttpRequest, extra_context=None):
        """Django's list of models, after the screens the newsroom works in (shortcuts.py)."""
        return super().index(request, {
            "notices": shortcuts.notices_for(request.user),
            "shortcuts": shortcuts.shown_to(request.user), **(extra_context or {})})

    def get_app_list(self, request: HttpRequest, app_label=None):
        """The newsroom first, then the apps as DATELINE_DESK_APP_ORDER ranks them (Django's
        own order is alphabetical: advertising first)."""
        return sorted(super().get_app_list(request, app_label),
                      key=lambda app: shortcuts.app_rank(app["app_label"]))

    def page_sent_from(self, request: HttpRequest) -> str:
        """The desk page a post came from (its Referer, when it is this site's desk), or the
        desk's front page."""
        index = reverse("admin:index", current_app=self.name)
        referer = request.headers.get("Referer", "")
        if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
            parts = urlsplit(referer)
            if parts.path.startswith(index) and not parts.path.startswith(
                    reverse("admin:login", current_app=self.name)):
                return parts.path + (f"?{parts.query}" if parts.query else "")
        return index

    def autocomplete_view(self, request: HttpRequest):
        return LabelledAutocomplete.as_view(admin_site=self)(request)

    def password_change(self, request: HttpRequest, extra_context=None):
        """Django's view, with a form that counts wrong old passwords (it needs the request)."""
        from django.contrib.auth.views import PasswordChangeView

        form_class = type("PasswordChangeForm", (DeskPasswordChangeForm,), {"request": request})
        request.current_app = self.name
        return PasswordChangeView.as_view(
            form_class=form_class,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )(request)

    def get_urls(self):
        def enrol(request):
            return two_factor.two_factor(request, self)

        return [
            path("two-factor/", never_cache(csrf_protect(enrol)), name="two_factor"),
            path("session/", session.desk_json(self, session.check, door=False), name="session"),
            *super().get_urls(),
        ]


class LabelledAutocomplete(AutocompleteJsonView):
    """A picker's choices as their model's desk labels them (`autocomplete_label`), where it
    does: two stories headlined alike ("Virus poses as Christmas e-mail") were two identical
    lines, and an editor pinned the wrong one."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        return {**result, "text": label(obj)} if label is not None else result
