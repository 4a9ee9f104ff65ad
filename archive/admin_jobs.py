"""The admin's side of background jobs: the job list (progress, errors, results) and the upload of import files."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince

from archive.ingest.files import SUFFIXES, format_of
from archive.jobs import import_upload_later, run_again
from archive.models import Job, JobStatus, Source

MAX_UPLOAD_FILES = 50


def message_job_queued(model_admin: admin.ModelAdmin, request: HttpRequest, job: Job, *, prefix: str = "") -> None:
    """Tell the editor the work runs in the background, with a link to follow it."""
    url = reverse("admin:archive_job_change", args=[job.pk])
    model_admin.message_user(
        request,
        format_html("{}{} runs in the background: <a href=\"{}\">follow job #{}</a>.", prefix, job.label, url, job.pk),
        messages.INFO,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError("Choose at least one file.")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Files",
        help_text="Any format the importer reads: plain text, JSON Lines, Markdown, saved web pages, "
        "web archives (WARC), RSS or Atom feeds; several at once. The import runs in the background.",
    )
    source = forms.ModelChoiceField(
        Source.objects.order_by("name"), required=False,
        help_text="For articles whose file names no source.",
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_UPLOAD_FILES:
            raise forms.ValidationError(f"At most {MAX_UPLOAD_FILES} files at a time.")
        problems = []
        for upload in files:
            if format_of(Path(upload.name), named=True) is None:
                problems.append(f"{upload.name}: not a format Dossier reads ({', '.join(sorted(SUFFIXES))}, .xml)")
        limit = settings.UPLOAD_MAX_BYTES
        if sum(upload.size for upload in files) > limit:
            problems.append(f"Together the files are larger than the limit of {limit:,} bytes for one upload.")
        if problems:
            raise forms.ValidationError(problems)
        return files


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["label", "status_shown", "progress_shown", "attempts_shown", "created", "took"]
    list_filter = ["status", "name"]
    search_fields = ["label", "name"]
    actions = ["run_again"]
    list_per_page = 50
    fields = ["label", "name", "status_shown", "progress_shown", "attempts_shown", "outcome", "error_shown",
              "worker", "created", "started", "finished", "took"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="archive_job_upload"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "jobs_active": Job.objects.active().exists(),
                         "can_upload": request.user.has_perm("archive.add_article")}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = Job.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        extra_context = {**(extra_context or {}),
                         "jobs_active": job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING)}
        return super().change_view(request, object_id, form_url, extra_context)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("archive.add_article"):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
        if request.method == "POST" and form.is_valid():
            user = request.user.get_username()
            job = import_upload_later(files=form.cleaned_data["files"], source=form.cleaned_data["source"], user=user)
            message_job_queued(self, request, job)
            return HttpResponseRedirect(reverse("admin:archive_job_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import files",
            "form": form,
            "opts": self.model._meta,
            "max_files": MAX_UPLOAD_FILES,
            "max_bytes": settings.UPLOAD_MAX_BYTES,
        }
        return TemplateResponse(request, "admin/archive/job/upload.html", context)

    @admin.display(description="status", ordering="status")
    def status_shown(self, job: Job) -> str:
        if job.status == JobStatus.QUEUED and job.attempts:
            return f"Waiting to try again (attempt {job.attempts + 1} of {job.max_attempts})"
        return job.get_status_display()

    @admin.display(description="progress")
    def progress_shown(self, job: Job) -> str:
        if job.status != JobStatus.RUNNING and not job.progress_done:
            return "–"
        note = f" {job.progress_note}" if job.progress_note else ""
        if job.percent is None:
            return f"{job.progress_done:,}{note}".strip()
        return format_html(
            '<progress value="{}" max="100">{}%</progress> {}% ({} of {}){}',
            job.percent, job.percent, job.percent, f"{job.progress_done:,}", f"{job.progress_total:,}", note,
        )

    @admin.display(description="attempts")
    def attempts_shown(self, job: Job) -> str:
        return f"{job.attempts} of {job.max_attempts}"

    @admin.display(description="time taken")
    def took(self, job: Job) -> str:
        if job.duration is not None:
            return f"{job.duration.total_seconds():.1f} s"
        if job.status == JobStatus.RUNNING and job.started:
            return f"running for {timesince(job.started, timezone.now())}"
        return "–"

    @admin.display(description="error")
    def error_shown(self, job: Job) -> str:
        if not job.error:
            return "–"
        return format_html("<pre class=\"job-error\">{}</pre>", job.error)

    @admin.display(description="result")
    def outcome(self, job: Job) -> str:
        result = job.result or {}
        if not result:
            return "–"
        if job.name != "import_upload":
            return ", ".join(f"{key}: {value}" for key, value in result.items() if not isinstance(value, list))
        created_ids = result.get("created_ids") or []
        link = ""
        if created_ids:
            link = format_html(' (<a href="{}?id__in={}">show them</a>)', reverse("admin:archive_article_changelist"),
                               ",".join(str(i) for i in created_ids[:200]))
        failed = result.get("failures") or []
        unchanged = result.get("unchanged_examples") or []
        return format_html(
            "<p><strong>{}</strong></p><p>Created: {}{}</p><p>Unchanged: {}</p>{}<p>Failed: {}</p>{}",
            result.get("summary", ""), result.get("created", 0), link, result.get("unchanged", 0),
            format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((u,) for u in unchanged)))
            if unchanged else "",
            result.get("failed", 0),
            format_html(
                "<ul class=\"import-failures\">{}</ul>",
                format_html_join("", "<li>{}: {}</li>", (
                    (f"{f['file']}:{f['line']}" if f.get("line") else f["file"], f["reason"]) for f in failed
                )),
            ) if failed else "",
        )

    def has_rerun_permission(self, request) -> bool:
        # Editors (who may add articles) run failed jobs again; readers of the list may not.
        return request.user.has_perm("archive.add_article")

    @admin.action(description="Run the selected failed jobs again", permissions=["rerun"])
    def run_again(self, request, queryset):
        count = sum(run_again(job=job) for job in queryset.filter(status=JobStatus.FAILED))
        self.message_user(request, f"Queued {count} jobs again.", messages.SUCCESS)
