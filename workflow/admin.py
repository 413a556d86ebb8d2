"""viewflow's admin for processes and tasks, view only.

viewflow registers ``Process`` and ``Task`` with delete (and, for a process, edit) allowed; a
superuser could delete a memo's review rounds there, the first step to deleting the memo
(issue 9). Here both are re-registered with viewflow's list and pages kept and every change
refused; the memo's rounds are refused deletion in the model too (``workflow.models``).
"""

from __future__ import annotations

from django.contrib import admin
from viewflow.workflow import admin as viewflow_admin  # registers viewflow's admins first
from viewflow.workflow.models import Process, Task

from memos.admin import ViewOnly


class TaskInline(ViewOnly, viewflow_admin.TaskInline):
    pass


class ProcessAdmin(ViewOnly, viewflow_admin.ProcessAdmin):
    inlines = [TaskInline]


class TaskAdmin(ViewOnly, viewflow_admin.TaskAdmin):
    pass


for model, model_admin in ((Process, ProcessAdmin), (Task, TaskAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
