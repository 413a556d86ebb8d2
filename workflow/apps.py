from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("การเสนอแฟ้ม")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_save

        from memos.models import ActingAssignment, Holding

        from . import reassignment

        # open review tasks follow the organisation, whoever changes it (admin, shell, commands)
        for model in (ActingAssignment, Holding):
            pre_save.connect(reassignment.remember_position, sender=model, dispatch_uid=f"route-pre-{model.__name__}")
            post_save.connect(reassignment.on_assignment_changed, sender=model,
                              dispatch_uid=f"route-save-{model.__name__}")
            post_delete.connect(reassignment.on_assignment_changed, sender=model,
                                dispatch_uid=f"route-delete-{model.__name__}")
