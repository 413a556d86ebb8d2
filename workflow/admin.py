"""viewflow registers its Process and Task models in the admin. Deleting an open review task, or
a memo's process, would leave the memo in review with nobody to decide it: no deletes there."""

from django.contrib import admin
from viewflow.workflow import admin as viewflow_admin
from viewflow.workflow.models import Process, Task


class _NoDelete:
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


for _model, _admin in ((Process, viewflow_admin.ProcessAdmin), (Task, viewflow_admin.TaskAdmin)):
    admin.site.unregister(_model)
    admin.site.register(_model, type(_admin.__name__, (_NoDelete, _admin), {"__module__": __name__}))
