"""Forms for the desk's team workflow: the composer, an unpublished update, a return note.

The composer is the desk's append form (``forms.EntryAppendForm``) with what an editor
chooses beyond the text: when to publish it (a schedule, in the blog's time zone), another
byline (agency copy) and the blog's labels. A contributor's composer has none of those: their
update waits for an editor, who chooses. The forms only check and clean input; the desk turns
it into ``commands.Writing`` for the desk's commands.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.utils import timezone

from liveblog import bylines, commands
from liveblog import events as ev
from liveblog.forms import _DATETIME_LOCAL_FORMAT, EntryAppendForm, TextField
from liveblog.models import Blog, DeskEntry

#: The fields only an editor's composer has.
EDITOR_FIELDS = ("publish_at", "byline", "labels")


class ComposerForm(EntryAppendForm):
    """A new update: published now, saved as a draft, scheduled, or sent for approval."""

    publish_at = forms.DateTimeField(
        required=False,
        label="Publish at",
        input_formats=[_DATETIME_LOCAL_FORMAT, "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME_LOCAL_FORMAT),
    )
    byline = forms.CharField(required=False, max_length=ev.MAX_AUTHOR_LENGTH, label="Byline")
    labels = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Labels"
    )

    def __init__(
        self, *args: Any, blog: Blog, own_byline: bylines.Byline, editor: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, blog=blog, **kwargs)
        self.own_byline = own_byline
        if not editor:
            for name in EDITOR_FIELDS:
                del self.fields[name]
            return
        now = timezone.localtime(timezone.now(), blog.zone)
        self.fields["publish_at"].help_text = (
            f"For “Schedule”: the time it goes out, in the newsroom's time zone, "
            f"{blog.time_zone} (there it is {now:%H:%M} now)."
        )
        self.fields["byline"].help_text = (
            f"Leave empty for {own_byline or 'your byline (none set yet: see Bylines)'}; "
            "or name the source of agency copy, e.g. Reuters."
        )
        if blog.labels:
            labels = self.fields["labels"]
            assert isinstance(labels, forms.MultipleChoiceField)
            labels.choices = [(label, label) for label in blog.labels]
        else:
            del self.fields["labels"]

    def chosen_byline(self) -> bylines.Byline:
        """The byline the update carries: the one typed in, else the writer's own."""
        given = self.cleaned_data.get("byline", "").strip()
        return bylines.Byline(name=given) if given else self.own_byline

    def writing(self, byline: bylines.Byline | None = None) -> commands.Writing:
        """The update as written: under ``byline``, else the one chosen, with its labels."""
        written = super().writing(byline or self.chosen_byline())
        return dataclasses.replace(written, labels=self.cleaned_data.get("labels", ()))


class UnpublishedForm(ComposerForm):
    """An unpublished update, changed on its own page against the revision shown."""

    based_on_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, item: DeskEntry, editor: bool, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        for name in ("body", "headline", "key_event", "pinned", "labels"):
            initial.setdefault(name, getattr(item, name))
        initial.setdefault("occurred_at", item.occurred_at)
        initial.setdefault("publish_at", item.publish_at)
        initial.setdefault("based_on_revision", item.revision)
        initial.setdefault("entry_id", item.pk)
        kept = bylines.of_entry(item)
        initial.setdefault("byline", kept.name)
        super().__init__(*args, blog=item.blog, own_byline=kept, editor=editor, **kwargs)
        self.item = item
        self.fields["entry_id"].required = False
        if editor:
            self.fields[
                "byline"
            ].help_text = (
                f"Now: {kept or 'nobody'}. Type another name for agency copy, e.g. Reuters."
            )
            # The update keeps labels that have since left the blog's set.
            if "labels" in self.fields or item.labels:
                choices = list(dict.fromkeys([*item.blog.labels, *item.labels]))
                self.fields["labels"] = forms.MultipleChoiceField(
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    choices=[(label, label) for label in choices],
                    initial=item.labels,
                )

    def chosen_byline(self) -> bylines.Byline:
        # The update's byline stays whole (role, location) unless another name is typed in.
        given = self.cleaned_data.get("byline", "").strip()
        if not given or given == self.own_byline.name:
            return self.own_byline
        return bylines.Byline(name=given)

    def writing(self, byline: bylines.Byline | None = None) -> commands.Writing:
        writing = super().writing(byline)
        if "labels" not in self.fields:
            # A contributor's form: what an editor chose stays.
            return dataclasses.replace(writing, labels=self.item.labels)
        return writing


class ReturnForm(forms.Form):
    """Why a submission goes back to its contributor: they read this note."""

    note = TextField(
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        max_length=ev.MAX_NOTE_LENGTH,
        label="Note for the contributor",
        help_text="What to change before it can be published.",
    )
