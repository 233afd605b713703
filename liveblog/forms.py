"""Forms for the editors' screens in the admin.

They only check and clean input; every write goes through ``liveblog.commands``, whose
domain errors the admin turns into form errors with ``add_domain_error``.
"""

from __future__ import annotations

import re
import uuid
import zoneinfo
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.safestring import SafeString

from liveblog import events as ev
from liveblog.bylines import Byline
from liveblog.commands import Writing
from liveblog.diffs import word_diff
from liveblog.errors import InvalidEventError, LiveblogError
from liveblog.models import Blog, Entry

_DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def add_domain_error(form: forms.BaseForm, exc: LiveblogError) -> None:
    """Show a command's refusal on the field it concerns, or above the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class TextField(forms.CharField):
    """Free text from a textarea, with the browser's CRLF line ends turned into LF.

    Browsers send textarea lines ending in CRLF; without this an untouched entry would not
    compare equal to its stored text, and every correction would look like a change.
    """

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)  # None only with empty_value=None
        return None if text is None else text.replace("\r\n", "\n").replace("\r", "\n")


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "vLargeTextField"})


class _BlogForm(forms.ModelForm):
    """Check a blog form's values with the event that will carry them, before any write."""

    def _check_event(self, event_class: type[ev.DomainEvent], **values: Any) -> None:
        try:
            event_class(**values)
        except InvalidEventError as exc:
            add_domain_error(self, exc)


class BlogCreateForm(_BlogForm):
    """A new blog's slug and presentation; the admin creates it with ``blog_create``."""

    time_zone = forms.ChoiceField(choices=_time_zone_choices, initial="UTC")
    description = TextField(required=False, widget=_textarea(3))

    class Meta:
        model = Blog
        fields = ["slug", "title", "description", "time_zone"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors:
            self._check_event(
                ev.BlogCreated,
                slug=data["slug"],
                title=data["title"],
                description=data["description"],
                time_zone=data["time_zone"],
            )
        return data


class LabelsField(forms.CharField):
    """A blog's labels, one per line (or separated by commas), as the editor orders them."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _textarea(4))
        kwargs.setdefault(
            "help_text",
            "The labels editors may give updates, one per line, e.g. Breaking, Analysis, "
            "Fact check, Official. Readers see them and can filter by them.",
        )
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    # The field's value is the list of labels, not CharField's text.
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return value
        text = super().to_python(value) or ""
        return [part.strip() for part in re.split(r"[\n,]", text) if part.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return list(initial or []) != self.to_python(data)


class BlogChangeForm(_BlogForm):
    """A blog's presentation (``blog_update``) and labels (``blog_set_labels``).

    Its members and their roles are an inline of the blog's page, saved directly.
    """

    time_zone = forms.ChoiceField(choices=_time_zone_choices)
    description = TextField(required=False, widget=_textarea(3))
    labels = LabelsField()

    class Meta:
        model = Blog
        fields = ["title", "description", "time_zone", "coverage_start", "coverage_end", "labels"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("coverage_start", "coverage_end"):
            if name in self.fields:
                self.fields[name].help_text = (
                    f"In the blog's time zone, {self.instance.time_zone}. Opening the blog "
                    "sets the start and closing it the end; change them only to correct them."
                )

    def details(self) -> dict[str, Any]:
        """The keyword arguments for ``commands.blog_update``.

        An untouched coverage time keeps its stored value: the widget shows whole seconds,
        and sending that back would record a change nobody made.
        """
        data = self.cleaned_data
        details = {name: data[name] for name in ("title", "description", "time_zone")}
        for name in ("coverage_start", "coverage_end"):
            changed = name in self.changed_data
            details[name] = data[name] if changed else self.initial.get(name)
        return details

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "slug" in self.fields and "slug" not in self.errors:
            # Shown only while the slug may change (BlogAdmin), and then it must be valid.
            self._check_event(ev.BlogRenamed, slug=self.cleaned_data["slug"])
        if "labels" in self.fields and "labels" not in self.errors:
            self._check_event(ev.BlogLabelsChanged, labels=self.cleaned_data["labels"])
        if not self.errors:
            details = self.details()
            start, end = details["coverage_start"], details["coverage_end"]
            if start and end and end < start:
                self.add_error("coverage_end", "Coverage cannot end before it starts.")
                return data
            self._check_event(
                ev.BlogDetailsChanged,
                title=details["title"],
                description=details["description"],
                time_zone=details["time_zone"],
                coverage_start=start.isoformat() if start else None,
                coverage_end=end.isoformat() if end else None,
            )
        return data


class EntryAppendForm(forms.Form):
    """One update for the live desk.

    ``entry_id`` is chosen when the form is shown, so a form sent twice (a double click, a
    resent POST) publishes one entry, not two.
    """

    entry_id = forms.UUIDField(widget=forms.HiddenInput)
    body = TextField(
        widget=forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField", "autofocus": True}),
        help_text="Markdown: **bold**, _italic_, [link](https://example.org), lists, quotes.",
    )
    headline = forms.CharField(required=False, max_length=ev.MAX_HEADLINE_LENGTH)
    occurred_at = forms.DateTimeField(
        required=False,
        label="Time",
        input_formats=[_DATETIME_LOCAL_FORMAT, "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME_LOCAL_FORMAT),
    )
    key_event = forms.BooleanField(required=False, label="Key event")
    pinned = forms.BooleanField(required=False, label="Pin to the top")

    def __init__(self, *args: Any, blog: Blog, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("entry_id", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].help_text = (
            f"Leave empty for now. A time you enter is read in the blog's time zone, "
            f"{blog.time_zone}."
        )

    def writing(self, byline: Byline) -> Writing:
        """The update as written, under ``byline`` (call once the form is valid)."""
        data = self.cleaned_data
        return Writing(
            body=data["body"],
            headline=data["headline"],
            occurred_at=data["occurred_at"],
            key_event=data["key_event"],
            pinned=data["pinned"],
            byline=byline,
        )


class RevisionForm(forms.Form):
    """A change to an entry, made against the revision the editor was shown."""

    based_on_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, entry: Entry, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("based_on_revision", entry.revision)
        super().__init__(*args, **kwargs)
        self.entry = entry

    def rebased(self, current: Entry) -> RevisionForm:
        """The same input on top of the newer revision, for when a colleague got there first."""
        data = QueryDict(mutable=True)
        data.update(self.data)
        data["based_on_revision"] = str(current.revision)
        return type(self)(data, entry=current)

    def changes(self) -> dict[str, SafeString | None] | None:
        """What the change does to the entry's text, where it changes the text."""
        return None


class CorrectionForm(RevisionForm):
    """New text for an entry and the reason readers will see."""

    body = TextField(widget=_textarea(8))
    headline = forms.CharField(required=False, max_length=ev.MAX_HEADLINE_LENGTH)
    reason = TextField(
        widget=_textarea(2),
        max_length=ev.MAX_REASON_LENGTH,
        help_text="Shown to readers next to the corrected entry.",
    )

    def __init__(self, *args: Any, entry: Entry, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("body", entry.body)
        initial.setdefault("headline", entry.headline)
        super().__init__(*args, entry=entry, **kwargs)

    def changes(self) -> dict[str, SafeString | None] | None:
        """Word-by-word differences between the entry's text and the proposed one.

        The headline's is None when it stays the same, so the page shows only what changes.
        """
        # Not is_valid(): after a stale refusal the form carries an error, and the editor
        # needs the differences from the newer text most of all.
        if not self.is_bound or "body" in self.errors or "headline" in self.errors:
            return None
        data = self.cleaned_data
        return {
            "headline": (
                word_diff(self.entry.headline, data["headline"])
                if data["headline"] != self.entry.headline
                else None
            ),
            "body": word_diff(self.entry.body, data["body"]),
        }


class RetractionForm(RevisionForm):
    """Why the entry is withdrawn; readers see it in place of the text."""

    reason = TextField(
        widget=_textarea(2),
        max_length=ev.MAX_REASON_LENGTH,
        help_text="Shown to readers in place of the entry.",
    )
